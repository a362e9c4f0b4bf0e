from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "himaccess.webhooks"
    label = "webhooks"
    verbose_name = _("Webhooks to departments")

    def ready(self) -> None:
        # Subscribes the publishing of webhook events to the domain events they come from.
        from himaccess.webhooks import publishing  # noqa: F401
