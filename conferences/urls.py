from django.urls import path

from conferences import preparation_views as prep
from conferences import views

app_name = "conferences"
urlpatterns = [
    path("requests/", views.my_requests, name="my_requests"),
    path("approvals/", views.approvals, name="approvals"),
    path("second-conferences/", views.second_conferences, name="second_conferences"),
    path("to-book/", views.booking_queue, name="booking_queue"),
    path("calendar/", views.bookings_calendar, name="calendar"),
    path("delays/", views.delays, name="delays"),
    path("delays/<int:pk>/", views.delay_decide, name="delay_decide"),
    path("child/<int:pk>/", views.child_tab, name="child"),
    path("child/<int:pk>/request/", views.request_new, name="request_new"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/edit/", views.request_edit, name="request_edit"),
    path("requests/<int:pk>/submit/", views.request_submit, name="request_submit"),
    path("requests/<int:pk>/approve/", views.request_approve, name="request_approve"),
    path("requests/<int:pk>/return/", views.request_return, name="request_return"),
    path("requests/<int:pk>/agree-second/", views.request_agree, name="request_agree"),
    path("requests/<int:pk>/book/", views.request_book, name="request_book"),
    path("requests/<int:pk>/cancel/", views.request_cancel, name="request_cancel"),
    path("requests/<int:pk>/delay/", views.request_delay, name="request_delay"),
]

# Before the conference (issue 5, part 5a): conferences.preparation_views.
urlpatterns += [
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
