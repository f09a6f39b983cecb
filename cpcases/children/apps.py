from django.apps import AppConfig


class ChildrenConfig(AppConfig):
    name = "cpcases.children"
    label = "children"

    def ready(self) -> None:
        from cpcases.accounts.roles import Capability
        from cpcases.children.tabs import Tab, register_tab

        register_tab(Tab("summary", "Summary", "children:detail", 10))
        register_tab(Tab("people", "People", "children:people", 20))
        register_tab(Tab("allocation", "Allocation", "children:allocation", 30))
        register_tab(Tab("audit", "Audit", "children:audit", 90,
                         visible=lambda user: user.can(Capability.VIEW_AUDIT)))
