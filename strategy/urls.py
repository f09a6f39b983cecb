from django.urls import path

from strategy import views

app_name = "strategy"
urlpatterns = [
    path("child/<int:pk>/", views.child_tab, name="child"),
    path("child/<int:pk>/discussions/new/", views.discussion_new, name="discussion_new"),
    path("child/<int:pk>/concerns/new/", views.concern_new, name="concern_new"),
    path("child/<int:pk>/threshold/new/", views.threshold_new, name="threshold_new"),
    path("child/<int:pk>/consultations/new/", views.consultation_new,
         name="consultation_new"),
    path("discussions/<int:pk>/", views.discussion_detail, name="discussion_detail"),
    path("enquiries/<int:pk>/outcome/", views.s47_outcome, name="s47_outcome"),
    path("thresholds/<int:pk>/iro/", views.threshold_iro, name="threshold_iro"),
    path("consultations/mine/", views.my_requests, name="my_requests"),
    path("consultations/queue/", views.consultation_queue, name="consultation_queue"),
    path("consultations/chair/", views.chair_consultations, name="chair_consultations"),
    path("consultations/<int:pk>/assign/", views.consultation_assign,
         name="consultation_assign"),
    path("consultations/<int:pk>/held/", views.consultation_held, name="consultation_held"),
    path("consultations/<int:pk>/record/", views.consultation_record,
         name="consultation_record"),
]
