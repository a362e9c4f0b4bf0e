from django.apps import AppConfig


class GeographyConfig(AppConfig):
    name = "himaccess.geography"
    label = "geography"
