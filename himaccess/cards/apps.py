from django.apps import AppConfig


class CardsConfig(AppConfig):
    name = "himaccess.cards"
    label = "cards"

    def ready(self) -> None:
        # Subscribes the card lifecycle to the register's events.
        from himaccess.cards import lifecycle  # noqa: F401
