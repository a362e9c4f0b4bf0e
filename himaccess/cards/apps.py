from django.apps import AppConfig


class CardsConfig(AppConfig):
    name = "himaccess.cards"
    label = "cards"
