from django.apps import AppConfig


class LinkageConfig(AppConfig):
    name = "himaccess.linkage"
    label = "linkage"
    verbose_name = "Record linkage (duplicate persons)"

    def ready(self) -> None:
        # Subscribes the check of a newly added person to the register's events.
        from himaccess.linkage import lifecycle  # noqa: F401
