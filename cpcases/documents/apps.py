from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "cpcases.documents"
    label = "documents"
    verbose_name = "Issued documents"

    def ready(self) -> None:
        from cpcases.children.tabs import Tab, register_tab

        register_tab(Tab("documents", "Documents", "documents:child", 80))
