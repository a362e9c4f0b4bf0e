from django.apps import AppConfig


class SchemesConfig(AppConfig):
    name = "himaccess.schemes"
    label = "schemes"

    def ready(self) -> None:
        # Subscribes eligibility to the register's events and registers the beat schedule.
        from himaccess.schemes import lifecycle, tasks  # noqa: F401
