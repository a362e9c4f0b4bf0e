from django.apps import AppConfig


class VaultConfig(AppConfig):
    name = "himaccess.vault"
    label = "vault"
    verbose_name = "Aadhaar data vault"

    def ready(self) -> None:
        # Registers the deployment check of the vault's keys.
        from himaccess.vault import checks  # noqa: F401
