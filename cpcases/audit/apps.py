from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "cpcases.audit"
    label = "audit"
