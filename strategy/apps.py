from collections.abc import Callable

from django.apps import AppConfig


class StrategyConfig(AppConfig):
    name = "strategy"

    def ready(self) -> None:
        from cpcases.accounts.roles import Role
        from cpcases.children.tabs import Tab, register_tab
        from cpcases.core.navigation import NavItem, register_nav
        from strategy.selectors import awaiting_record_count, waiting_for_chair_count

        def role_in(*roles: str) -> Callable[[object], bool]:
            return lambda user: getattr(user, "role", None) in roles

        from strategy.worklinks import register as register_worklinks

        register_worklinks()
        register_tab(Tab("strategy", "Strategy and enquiries", "strategy:child", 40))
        register_nav(NavItem("My consultation requests", "strategy:my_requests", 50,
                             visible=role_in(Role.SOCIAL_WORKER, Role.TEAM_MANAGER)))
        register_nav(NavItem("Consultation requests", "strategy:consultation_queue", 50,
                             visible=role_in(Role.BUSINESS_SUPPORT),
                             count=waiting_for_chair_count))
        register_nav(NavItem("My consultations", "strategy:chair_consultations", 50,
                             visible=role_in(Role.CP_CHAIR), count=awaiting_record_count))
