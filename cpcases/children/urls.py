from django.urls import path

from cpcases.children import views

app_name = "children"
urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("search/", views.search, name="search"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/people/", views.people, name="people"),
    path("<int:pk>/people/add/", views.person_add, name="person_add"),
    path("<int:pk>/allocation/", views.allocation, name="allocation"),
    path("<int:pk>/allocation/change/", views.allocate, name="allocate"),
    path("<int:pk>/audit/", views.audit, name="audit"),
]
