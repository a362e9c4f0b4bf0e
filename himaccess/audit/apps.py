from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "himaccess.audit"
    label = "audit"
