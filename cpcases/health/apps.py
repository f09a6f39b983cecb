from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "cpcases.health"
    label = "health"
    verbose_name = "Service health"

    def ready(self) -> None:
        from cpcases.health import signals  # noqa: F401  (records each successful sweep)
