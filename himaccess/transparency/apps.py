from django.apps import AppConfig


class TransparencyConfig(AppConfig):
    name = "himaccess.transparency"
    label = "transparency"
    verbose_name = "Public figures and officers' dashboards"
