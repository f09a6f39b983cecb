from django.apps import AppConfig


class ReturnExportsConfig(AppConfig):
    """Returns exported as background jobs with progress (issue 16 point 5)."""

    name = "returns.exports"
    label = "return_exports"
    verbose_name = "Statutory return exports"
    default_auto_field = "django.db.models.BigAutoField"
