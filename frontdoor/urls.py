from django.urls import path

from frontdoor import views

app_name = "frontdoor"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("find/", views.search, name="search"),
    path("contacts/new/", views.contact_new, name="contact_new"),
    path("contacts/<int:pk>/", views.contact_detail, name="contact"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral"),
    path("assessments/<int:pk>/", views.assessment_detail, name="assessment"),
    path("child/<int:pk>/", views.child_tab, name="child"),
    path("child/<int:pk>/new-information/", views.new_information, name="new_information"),
    path("child/<int:pk>/open/", views.break_glass, name="break_glass"),
    path("child/<int:pk>/merge/", views.merge_child, name="merge"),
    path("child/<int:pk>/household/", views.household_edit, name="household"),
    path("child/<int:pk>/people/<int:link_pk>/", views.child_person_edit,
         name="child_person"),
]
