from django.apps import AppConfig


class MilkfedConfig(AppConfig):
    name = "himaccess.milkfed"
    label = "milkfed"

    def ready(self) -> None:
        # Adds Milkfed's figures to its department page (departments.pages).
        from himaccess.milkfed import figures  # noqa: F401
