from django.apps import AppConfig


class ApplicationsConfig(AppConfig):
    name = "himaccess.applications"
    label = "applications"
    verbose_name = "Him Seva applications"
