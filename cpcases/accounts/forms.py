from __future__ import annotations

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Layout, Size
from django.contrib.auth.forms import AuthenticationForm
from django.forms.utils import ErrorDict


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account is not active. Ask your administrator.",
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username",
                                                     "spellcheck": "false"})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout("username", "password", Button("submit", "Sign in"))

    def refuse_for_now(self, wait: int) -> None:
        """Show the wait after a failed sign-in, without cleaning (which would check the
        password and count another failure)."""
        self._errors = ErrorDict()
        self.cleaned_data = {}
        seconds = "1 second" if wait == 1 else f"{wait} seconds"
        self.add_error("password", f"Wait {seconds}, then enter your password again")
