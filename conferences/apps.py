from django.apps import AppConfig


class ConferencesConfig(AppConfig):
    name = "conferences"

    def ready(self) -> None:
        from conferences import selectors
        from cpcases.accounts.roles import Capability, Role
        from cpcases.children.tabs import Tab, register_tab
        from cpcases.core.navigation import NavItem, register_nav

        def role_is(*roles: str):
            return lambda user: getattr(user, "role", None) in roles

        def counter(queue):  # noqa: ANN001
            return lambda user: queue(user=user).count() if user.is_authenticated else 0

        from conferences.worklinks import register as register_worklinks

        register_worklinks()
        # Partners see the tab too: only the conferences they are invited to.
        register_tab(Tab("conferences", "Conferences", "conferences:child", 50,
                         visible=lambda user: user.can(Capability.VIEW_CHILD)))
        register_nav(NavItem("Conference requests", "conferences:my_requests", 50,
                             visible=role_is(Role.SOCIAL_WORKER)))
        register_nav(NavItem("Approvals", "conferences:approvals", 51,
                             visible=role_is(Role.TEAM_MANAGER),
                             count=counter(selectors.approvals_queue), place="work"))
        register_nav(NavItem("Second conferences", "conferences:second_conferences", 52,
                             visible=role_is(Role.SERVICE_MANAGER),
                             count=counter(selectors.second_conference_queue), place="work"))
        register_nav(NavItem("Conferences to book", "conferences:booking_queue", 53,
                             visible=role_is(Role.BUSINESS_SUPPORT),
                             count=counter(selectors.booking_queue)))
        register_nav(NavItem("Bookings", "conferences:calendar", 54,
                             visible=role_is(Role.BUSINESS_SUPPORT, Role.CP_CHAIR)))
        register_nav(NavItem("Delay authorisations", "conferences:delays", 55,
                             visible=selectors.may_authorise_icpc_delay,
                             count=counter(selectors.delay_queue), place="work"))
