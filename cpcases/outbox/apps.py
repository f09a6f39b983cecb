from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "cpcases.outbox"
    label = "outbox"
    verbose_name = "E-mail outbox"
