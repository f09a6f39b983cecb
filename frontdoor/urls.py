app_name = "frontdoor"
urlpatterns = []
