from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "himaccess.accounts"
    label = "accounts"
