from django.apps import AppConfig


class DeadlinesConfig(AppConfig):
    name = "deadlines"

    def ready(self) -> None:
        from cpcases.accounts.roles import Capability
        from cpcases.children.tabs import Tab, register_tab
        from cpcases.core.navigation import NavItem, register_nav
        from deadlines.selectors import unread_count

        register_nav(NavItem("My work", "home", 5))
        register_nav(NavItem("Team deadlines", "deadlines:team", 35,
                             visible=lambda u: u.can(Capability.VIEW_TEAM_DEADLINES)))
        register_nav(NavItem("Notifications", "deadlines:notifications", 40,
                             count=unread_count, place="account"))
        register_nav(NavItem("Timescale policy", "deadlines:policy", 80,
                             visible=lambda u: u.can(Capability.MANAGE_POLICY)))
        register_tab(Tab("deadlines", "Deadlines", "deadlines:child", 60))
