from django.urls import path

from cpcases.documents import views

app_name = "documents"
urlpatterns = [
    path("<int:pk>/documents/", views.child_documents, name="child"),
    path("<int:pk>/documents/<int:document>/", views.document_download, name="download"),
]
