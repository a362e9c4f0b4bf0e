from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "himaccess.events"
    label = "events"
