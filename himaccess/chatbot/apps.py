from django.apps import AppConfig


class ChatbotConfig(AppConfig):
    name = "himaccess.chatbot"
    label = "chatbot"
    verbose_name = "CM Seva Sankalp chatbot"

    def ready(self) -> None:
        # Registers the purge job with Celery beat and the deployment checks of the WhatsApp channel.
        from himaccess.chatbot import checks, tasks  # noqa: F401
