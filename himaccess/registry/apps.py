from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "himaccess.registry"
    label = "registry"
