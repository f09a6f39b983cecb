from django.urls import path

from conferences import views
from conferences.preparation import urls as preparation_urls

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

# Before the conference (issue 5, part 5a): conferences.preparation, same namespace.
urlpatterns += preparation_urls.urlpatterns
