from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "cpcases.accounts"
    label = "accounts"
