from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "returns"
    verbose_name = "Statutory returns"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from cpcases.accounts.roles import Capability
        from cpcases.children.tabs import Tab, register_tab
        from cpcases.core.navigation import NavItem, register_nav
        from returns.dfe import tasks  # noqa: F401 - the nightly readiness refresh (Celery)

        register_nav(NavItem("Returns", "returns:index", 90,
                             visible=lambda user: user.can(Capability.RUN_RETURNS)))
        # Performance figures (returns.performance): an oversight list at the foot of My work.
        register_nav(NavItem("Performance figures", "performance:index", 92, place="work",
                             visible=lambda user: user.can(Capability.VIEW_PERFORMANCE)))
        register_tab(Tab("returns", "Census checks", "returns:child", 95,
                         visible=lambda user: user.can(Capability.EDIT_CHILD)))
