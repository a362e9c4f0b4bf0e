from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "himaccess.accounts"
    label = "accounts"

    def ready(self) -> None:
        from himaccess.accounts import sessions  # noqa: F401  (connects the login signals)
