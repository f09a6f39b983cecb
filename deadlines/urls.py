from django.urls import path

from deadlines import closure_views, views

app_name = "deadlines"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("team/", views.team, name="team"),
    path("child/<int:pk>/", views.child, name="child"),
    path("<int:pk>/authorise-delay/", views.authorise_delay, name="authorise_delay"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification_read"),
    path("notifications/read-all/", views.notification_read, name="notifications_read_all"),
    path("notifications/read/", views.notifications_read_selected,
         name="notifications_read_selected"),
    path("policy/", views.policy, name="policy"),
    path("policy/closure-days/", closure_views.closure_days, name="closure_days"),
    path("policy/closure-days/<int:pk>/remove/", closure_views.closure_day_remove,
         name="closure_day_remove"),
    path("policy/profile/", views.policy_profile, name="policy_profile"),
    path("policy/<slug:rule_id>/", views.policy_rule, name="policy_rule"),
    path("policy/<slug:rule_id>/reset/", views.policy_rule_reset, name="policy_rule_reset"),
]
