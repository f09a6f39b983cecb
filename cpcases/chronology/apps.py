from django.apps import AppConfig


class ChronologyConfig(AppConfig):
    name = "cpcases.chronology"
    label = "chronology"

    def ready(self) -> None:
        from cpcases.accounts.roles import Role
        from cpcases.children.tabs import Tab, register_tab
        from cpcases.chronology.sources import register_builtin

        # Partners see each visit's headline in the chronology, not the visits record.
        register_tab(Tab("visits", "Visits", "chronology:visits", 70,
                         visible=lambda user: getattr(user, "role", None) != Role.PARTNER))
        register_tab(Tab("chronology", "Chronology", "chronology:child", 75))
        register_builtin()
        from cpcases.chronology.worklinks import register as register_worklinks

        register_worklinks()
