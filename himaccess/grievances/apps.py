from django.apps import AppConfig


class GrievancesConfig(AppConfig):
    name = "himaccess.grievances"
    label = "grievances"
    verbose_name = "CM Seva Sankalp (grievances)"
