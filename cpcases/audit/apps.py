from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "cpcases.audit"
    label = "audit"

    def ready(self) -> None:
        from cpcases.audit import loaded

        loaded.connect()
