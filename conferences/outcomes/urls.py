"""Mounted at conferences/ (cpcases.urls), beside the booking app's own routes: every route
here is under conferences/<pk>/day/ or conferences/<pk>/outputs/ or conferences/day/."""

from django.urls import path

from conferences.outcomes import disparity_views, views

app_name = "conference_outcomes"
urlpatterns = [
    path("day/", views.day_list, name="day_list"),
    path("day/non-attendance/", views.non_attendance_report, name="non_attendance"),
    path("<int:pk>/day/", views.day, name="day"),
    path("<int:pk>/day/children/<int:child_pk>/resource-disparity/",
         disparity_views.disparity_new, name="disparity_new"),
    path("resource-disparities/", disparity_views.disparity_list, name="disparities"),
    path("resource-disparities/<int:pk>/resolve/", disparity_views.disparity_resolve,
         name="disparity_resolve"),
    path("<int:pk>/day/attendance/add/", views.attendance_add, name="attendance_add"),
    path("<int:pk>/day/attendance/prefill/", views.attendance_prefill,
         name="attendance_prefill"),
    path("<int:pk>/day/attendance/<int:attendance_pk>/", views.attendance_edit,
         name="attendance_edit"),
    path("<int:pk>/day/observer/", views.observer, name="observer"),
    path("<int:pk>/day/start/", views.start, name="start"),
    path("<int:pk>/day/adjourn/", views.adjourn, name="adjourn"),
    path("<int:pk>/day/children/<int:child_pk>/scores/", views.scores, name="scores"),
    path("<int:pk>/day/children/<int:child_pk>/decision/", views.decision, name="decision"),
    path("<int:pk>/day/bring-forward/", views.bring_forward, name="bring_forward"),
    path("<int:pk>/outputs/", views.outputs, name="outputs"),
    path("<int:pk>/outputs/record/", views.record_edit, name="record_edit"),
    path("<int:pk>/outputs/distribute/", views.distribute, name="distribute"),
    path("<int:pk>/outputs/amendments/", views.amendment, name="amendment"),
    path("<int:pk>/outputs/issue/<slug:what>/", views.issue, name="issue"),
    path("<int:pk>/outputs/documents/<slug:kind>/", views.document, name="document"),
    path("<int:pk>/outputs/documents/<slug:kind>/pdf/", views.document_pdf, name="document_pdf"),
]
