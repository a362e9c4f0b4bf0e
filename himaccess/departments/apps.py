from django.apps import AppConfig


class DepartmentsConfig(AppConfig):
    name = "himaccess.departments"
    label = "departments"
