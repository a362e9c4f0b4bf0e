from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "himaccess.notifications"
    label = "notifications"
