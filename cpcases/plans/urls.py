from django.urls import path

from cpcases.plans import views

app_name = "plans"
urlpatterns = [
    path("child/<int:pk>/", views.child_tab, name="child"),
    path("child/<int:pk>/start/", views.plan_start, name="start"),
    path("child/<int:pk>/child-in-need/new/", views.cin_start, name="cin_start"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/revise/", views.plan_revise, name="revise"),
    path("<int:pk>/lead/", views.lead_change, name="lead_change"),
    path("<int:pk>/end/", views.plan_end, name="end"),
    path("<int:pk>/actions/new/", views.action_add, name="action_add"),
    path("<int:pk>/members/new/", views.member_add, name="member_add"),
    path("<int:pk>/core-groups/new/", views.meeting_new, name="meeting_new"),
    path("actions/<int:pk>/edit/", views.action_edit, name="action_edit"),
    path("versions/<int:pk>/", views.version_detail, name="version"),
    path("core-groups/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("core-groups/<int:pk>/distributed/", views.meeting_distributed,
         name="meeting_distributed"),
    path("child-in-need/<int:pk>/", views.cin_detail, name="cin_detail"),
    path("child-in-need/<int:pk>/meetings/new/", views.cin_meeting_new,
         name="cin_meeting_new"),
    path("child-in-need/<int:pk>/actions/new/", views.cin_action_add, name="cin_action_add"),
    path("child-in-need/<int:pk>/end/", views.cin_end, name="cin_end"),
    path("step-down-decisions/", views.stepdown_decisions, name="stepdown_decisions"),
]
