from django.apps import AppConfig


class IdempotencyConfig(AppConfig):
    name = "himaccess.idempotency"
    label = "idempotency"
    verbose_name = "Idempotency keys"
