from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    """The conference day and after: attendance, quoracy, decisions, letters, records, reviews."""

    name = "conferences.outcomes"
    label = "conference_outcomes"
    verbose_name = "Conference outcomes"

    def ready(self) -> None:
        from cpcases.accounts.roles import MANAGEMENT_LADDER, Role
        from cpcases.core.navigation import NavItem, register_nav

        register_nav(NavItem("Conference days", "conference_outcomes:day_list", 56,
                             visible=lambda user: getattr(user, "role", None)
                             in (Role.CP_CHAIR, Role.BUSINESS_SUPPORT)))
        # 001: patterns of non-attendance are escalated by chairs and managers.
        register_nav(NavItem("Non-attendance", "conference_outcomes:non_attendance", 57,
                             visible=lambda user: getattr(user, "role", None)
                             in MANAGEMENT_LADDER, place="work"))

        from conferences.outcomes.services import prebirth_birth_recorded
        from cpcases.children.hooks import on_birth_recorded

        # 002 §7.13: when the baby is born, the first review is due within a month of birth.
        on_birth_recorded(lambda child, user: prebirth_birth_recorded(child=child, user=user))
