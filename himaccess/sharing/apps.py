from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "himaccess.sharing"
    label = "sharing"
    verbose_name = "Data sharing with departments"
