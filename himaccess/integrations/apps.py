from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "himaccess.integrations"
    label = "integrations"
