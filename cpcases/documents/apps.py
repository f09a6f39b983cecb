from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "cpcases.documents"
    label = "documents"
    verbose_name = "Issued documents"
