from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "himaccess.vault"
    label = "vault"
    verbose_name = "Aadhaar data vault"
