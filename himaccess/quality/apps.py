from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "himaccess.quality"
    label = "quality"
    verbose_name = "Data quality findings"
