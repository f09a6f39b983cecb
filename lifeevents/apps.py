from django.apps import AppConfig


class LifeEventsConfig(AppConfig):
    name = "lifeevents"
    verbose_name = "Life on and off a plan"

    def ready(self) -> None:
        from cpcases.accounts.roles import Capability
        from cpcases.children.tabs import Tab, register_tab
        from cpcases.chronology.providers import register_provider
        from cpcases.core.navigation import NavItem, register_nav
        from lifeevents import chronology
        from lifeevents.selectors import open_missing_count, sees_missing_list

        register_tab(Tab("life", "Missing, orders and complaints", "lifeevents:child", 65,
                         visible=lambda user: user.can(Capability.VIEW_CHILD)))
        register_nav(NavItem("Missing children", "lifeevents:missing_list", 65,
                             visible=sees_missing_list, count=open_missing_count,
                             place="work"))
        register_nav(NavItem("Transfers", "lifeevents:transfers", 66,
                             visible=lambda user: user.can(Capability.ALLOCATE), place="work"))
        register_nav(NavItem("Professional challenges", "lifeevents:challenge_summary", 67,
                             visible=lambda user: user.can(Capability.ALLOCATE), place="work"))
        for name, provider, sources in chronology.PROVIDERS:
            register_provider(provider, name=f"lifeevents.{name}", sources=sources)
