from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "himaccess.accounts"
    label = "accounts"

    def ready(self) -> None:
        from himaccess.accounts import checks, sessions  # noqa: F401  (registers checks, connects signals)
