from django.urls import path

from lifeevents import views

app_name = "lifeevents"
urlpatterns = [
    path("child/<int:pk>/", views.child_tab, name="child"),
    path("child/<int:pk>/missing/new/", views.missing_new, name="missing_new"),
    path("child/<int:pk>/death/new/", views.death_new, name="death_new"),
    path("child/<int:pk>/orders/new/", views.order_new, name="order_new"),
    path("child/<int:pk>/complaints/new/", views.complaint_new, name="complaint_new"),
    path("child/<int:pk>/transfer/", views.transfer_new, name="transfer_new"),
    path("child/<int:pk>/transfer-out/", views.transfer_out_new, name="transfer_out_new"),
    path("transfers/", views.transfers, name="transfers"),
    path("transfers/<int:pk>/their-conference/", views.transfer_out_held,
         name="transfer_out_held"),
    path("child/<int:pk>/challenges/new/", views.challenge_new, name="challenge_new"),
    path("challenges/<int:pk>/", views.challenge_detail, name="challenge"),
    path("challenges/summary/", views.challenge_summary, name="challenge_summary"),
    path("missing/", views.missing_list, name="missing_list"),
    path("missing/<int:pk>/found/", views.missing_found, name="missing_found"),
    path("missing/<int:pk>/interview/", views.missing_interview, name="missing_interview"),
    path("deaths/<int:pk>/", views.death_detail, name="death"),
    path("deaths/<int:pk>/notify-partnership/", views.death_notify, name="death_notify"),
    path("deaths/<int:pk>/review/", views.death_review, name="death_review"),
    path("orders/<int:pk>/assessments-concluded/", views.order_concluded,
         name="order_concluded"),
    path("orders/<int:pk>/end/", views.order_end, name="order_end"),
    path("complaints/<int:pk>/", views.complaint_detail, name="complaint"),
    path("letters/<int:pk>/", views.letter_detail, name="letter"),
    path("plans/<int:pk>/notify-ending/", views.plan_notify, name="plan_notify"),
    path("plans/<int:pk>/ending/", views.plan_ending, name="plan_ending"),
    path("agency-views/<int:pk>/", views.agency_view_record, name="agency_view_record"),
    path("child/<int:pk>/restrict/", views.restrict, name="restrict"),
    path("child/<int:pk>/unrestrict/", views.unrestrict, name="unrestrict"),
]
