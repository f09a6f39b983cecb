from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cpcases.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from cpcases.accounts.roles import Capability
        from cpcases.core.navigation import NavItem, connect_invalidation, register_nav

        connect_invalidation()  # the navigation's cached counts (issue 13 §2)

        def sees_children(user: object) -> bool:
            return user.can(Capability.VIEW_CHILD)  # type: ignore[attr-defined]

        register_nav(NavItem("Caseload", "children:caseload", 10, visible=sees_children))
        # Case-working roles find a child through the authority search (frontdoor), which
        # registers the same entry first.
        register_nav(NavItem("Find a child", "children:search", 20, visible=sees_children))
        register_nav(NavItem("API", "api-docs", 90, place="account"))
        register_nav(NavItem("Help", "help", 95, place="account"))
