from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The embedded demo: the top of the app layers, it may use every app and none uses it."""

    name = "himaccess.demo"
    label = "demo"
