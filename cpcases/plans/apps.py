from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "cpcases.plans"
    label = "plans"

    def ready(self) -> None:
        from cpcases.accounts.roles import Capability
        from cpcases.children.tabs import Tab, register_tab
        from cpcases.core.navigation import NavItem, register_nav
        from cpcases.plans.selectors import STEPDOWN_OVERSIGHT
        from cpcases.plans.worklinks import register as register_worklinks

        register_worklinks()
        register_tab(Tab("plan", "Plan", "plans:child", 60,
                         visible=lambda user: user.can(Capability.VIEW_CHILD)))
        # 001: the head of service oversees plans ended without a Child in Need plan.
        register_nav(NavItem("Step-down decisions", "plans:stepdown_decisions", 60,
                             visible=lambda user: getattr(user, "role", None)
                             in STEPDOWN_OVERSIGHT, place="work"))
