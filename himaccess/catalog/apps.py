from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "himaccess.catalog"
    label = "catalog"
    verbose_name = "Him Seva catalogue"
