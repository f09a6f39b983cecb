"""Where the visit clocks are met (deadlines.worklinks): recording a visit (003)."""

from deadlines.worklinks import WorkLink, register_work


def register() -> None:
    register_work(WorkLink("child_seen", "Visit and see the child",
                           child_url_name="chronology:visit_new"))
    register_work(WorkLink("bedroom_seen", "See the child's sleeping place",
                           child_url_name="chronology:visit_new"))
