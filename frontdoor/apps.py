from collections.abc import Callable

from django.apps import AppConfig


class FrontDoorConfig(AppConfig):
    name = "frontdoor"
    verbose_name = "Front door"

    def ready(self) -> None:
        from cpcases.accounts.roles import Role
        from cpcases.children.hooks import register_duplicate_finder
        from cpcases.children.tabs import Tab, register_tab
        from cpcases.chronology.providers import Source, register_provider
        from cpcases.core.navigation import NavItem, register_nav
        from frontdoor import chronology
        from frontdoor.selectors import (
            awaiting_decision_count,
            likely_duplicates,
            may_search_authority,
        )

        def role_in(*roles: str) -> Callable[[object], bool]:
            return lambda user: getattr(user, "role", None) in roles

        register_duplicate_finder(likely_duplicates)
        register_tab(Tab("frontdoor", "Contacts and referrals", "frontdoor:child", 35))
        register_nav(NavItem("Front door", "frontdoor:queue", 20,
                             visible=role_in(Role.SOCIAL_WORKER, Role.TEAM_MANAGER),
                             count=awaiting_decision_count))
        # Every child known to the authority, with a link to those the user may open: the
        # "Find a child" of the roles allowed it, in place of the caseload-only search.
        register_nav(NavItem("Find a child", "frontdoor:search", 15,
                             visible=may_search_authority))
        register_provider(chronology.contacts, name="frontdoor.contacts",
                          sources=[Source("frontdoor.ContactChild")])
        register_provider(chronology.referrals, name="frontdoor.referrals",
                          sources=[Source("frontdoor.Referral")])
        register_provider(chronology.assessments, name="frontdoor.assessments",
                          sources=[Source("frontdoor.Assessment")])
