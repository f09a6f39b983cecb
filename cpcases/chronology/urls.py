from django.urls import path

from cpcases.chronology import views

app_name = "chronology"
urlpatterns = [
    path("child/<int:pk>/", views.chronology, name="child"),
    path("child/<int:pk>/entries/new/", views.entry_new, name="entry_new"),
    path("child/<int:pk>/print/", views.print_view, name="print"),
    path("child/<int:pk>/export.csv", views.export_csv, name="export"),
    path("child/<int:pk>/visits/", views.visits, name="visits"),
    path("child/<int:pk>/visits/new/", views.visit_new, name="visit_new"),
]
