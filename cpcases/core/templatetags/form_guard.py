"""`{% csrf_token %}`, as every POST form of the service draws it: Django's CSRF input, then
the hidden fields every form must carry (issue 12 §3-4), so that no form can be drawn
without them:

- `form_token`, a one-time token (cpcases.core.idempotency): sending the same form twice
  makes one record;
- `record_version`, on a page that edits a record (cpcases.core.concurrency.edits): the
  version of the record the user read, so a save over someone else's is refused.

Registered as a template builtin (settings TEMPLATES OPTIONS "builtins"), replacing Django's
tag of the same name in every template.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from cpcases.core.concurrency import VERSION_FIELD, current_guard
from cpcases.core.idempotency import FORM_TOKEN_FIELD, new_form_token

register = template.Library()


class GuardedCsrfTokenNode(CsrfTokenNode):
    def render(self, context: Any) -> SafeString:
        html = str(super().render(context))
        request = context.get("request")
        posted = request.POST.get(FORM_TOKEN_FIELD, "") if (
            request is not None and request.method == "POST"
            and not request.path.startswith("/api/")) else ""
        html += format_html('<input type="hidden" name="{}" value="{}">', FORM_TOKEN_FIELD,
                            posted or new_form_token())
        guard = current_guard(request)
        if guard is not None and guard.form_version is not None:
            html += format_html('<input type="hidden" name="{}" value="{}">', VERSION_FIELD,
                                guard.form_version)
        return mark_safe(html)  # noqa: S308 - built from format_html above


@register.tag
def csrf_token(parser: template.base.Parser, token: template.base.Token
               ) -> GuardedCsrfTokenNode:
    return GuardedCsrfTokenNode()
