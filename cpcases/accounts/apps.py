from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cpcases.accounts"
    label = "accounts"

    def ready(self) -> None:
        from cpcases.accounts import signals  # noqa: F401  (ends access on deactivation)
