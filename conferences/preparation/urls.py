"""Pages before the conference (issue 5, part 5a): included by conferences.urls into its
namespace ("conferences:invitation_add" …)."""

from django.urls import path

from conferences.preparation import views as prep

urlpatterns = [
    path("<int:pk>/", prep.conference_detail, name="conference"),
    path("<int:pk>/calendar.ics", prep.conference_calendar, name="conference_calendar"),
    path("<int:pk>/invitations/prefill/", prep.invitations_prefill, name="invitations_prefill"),
    path("<int:pk>/invitations/add/", prep.invitation_add, name="invitation_add"),
    path("<int:pk>/invitations/send/", prep.invitations_send, name="invitations_send"),
    path("<int:pk>/invitations/complete/", prep.invitations_complete,
         name="invitations_complete"),
    path("invitations/<int:pk>/", prep.invitation_edit, name="invitation_edit"),
    path("invitations/<int:pk>/remove/", prep.invitation_remove, name="invitation_remove"),
    path("<int:pk>/reports/upload/", prep.report_upload, name="report_upload"),
    path("reports/<int:pk>/download/", prep.report_download, name="report_download"),
    path("reports/<int:pk>/countersign/", prep.report_countersign, name="report_countersign"),
    path("reports/<int:pk>/share/", prep.report_share, name="report_share"),
    path("<int:pk>/exclusions/new/", prep.exclusion_new, name="exclusion_new"),
    path("exclusions/<int:pk>/decide/", prep.exclusion_decide, name="exclusion_decide"),
    path("exclusions/<int:pk>/report/", prep.exclusion_report, name="exclusion_report"),
]
