from django.urls import path

from cpcases.accounts import views, views_mfa

app_name = "accounts"
urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="login"),
    path("sign-out/", views.SignOutView.as_view(), name="logout"),
    path("sign-in/code/", views_mfa.mfa_verify, name="mfa_verify"),
    path("sign-in/set-up-app/", views_mfa.mfa_setup, name="mfa_setup"),
    path("session/extend/", views.session_extend, name="session_extend"),
]
