from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "himaccess.linkage"
    label = "linkage"
    verbose_name = "Record linkage (duplicate persons)"
