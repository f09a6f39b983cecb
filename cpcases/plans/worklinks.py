"""Where the plan's deadlines are done (deadlines.worklinks)."""

from deadlines.worklinks import WorkLink, register_work


def register() -> None:
    register_work(WorkLink("core_group_first", "Hold the first core group",
                           child_url_name="plans:child", url_name="plans:meeting_new",
                           subject_model="plans.childprotectionplan"))
    register_work(WorkLink("core_group_next", "Hold the next core group",
                           child_url_name="plans:child"))
    register_work(WorkLink("plan_distributed", "Send the detailed plan to the core group",
                           child_url_name="plans:child", url_name="plans:meeting_detail",
                           subject_model="plans.coregroupmeeting"))
    register_work(WorkLink("stepdown_meeting", "Hold the step-down meeting",
                           child_url_name="plans:child", url_name="plans:cin_meeting_new",
                           subject_model="plans.cinplan"))
    register_work(WorkLink("stepdown_review", "Hold the step-down review",
                           child_url_name="plans:child", url_name="plans:cin_detail",
                           subject_model="plans.cinplan"))
