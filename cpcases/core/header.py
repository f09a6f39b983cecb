"""Every page's header (the service navigation and the account line), drawn in Python (issue
13 §2).

As the template includes/service_navigation.html (now gone) it was the largest share of a
small page's rendering: two loops of entries, each with a dozen lookups, and the signed-in
user's team read from the database on every page. The HTML is what that template drew, byte
for byte (tests/foundation/test_service_header.py pins it). The team's name is kept with the
navigation's entries (cpcases.core.navigation), under the same generation any write moves on.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django.template.defaulttags import CsrfTokenNode
from django.urls import get_script_prefix, reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from cpcases.core.navigation import items_for, team_name
from cpcases.core.templatetags.form_guard import GuardedCsrfTokenNode

_CSRF: CsrfTokenNode = GuardedCsrfTokenNode()


@lru_cache(maxsize=8)
def _urls(script_prefix: str) -> tuple[str, str]:
    """The home page's and the sign-out form's addresses (reverse() on every page cost more
    than the rest of the header; they change only with the script prefix)."""
    return conditional_escape(reverse("home")), conditional_escape(reverse("accounts:logout"))


def service_header(context: Any) -> SafeString:
    request = context["request"]
    user = context.get("user")
    home, logout = _urls(get_script_prefix())
    name = conditional_escape(context.get("service_name", ""))
    signed_in = bool(user is not None and user.is_authenticated)
    html = [
        '\n<section aria-label="Service information" class="govuk-service-navigation" '
        'data-module="govuk-service-navigation">\n'
        '  <div class="govuk-width-container">\n'
        '    <div class="govuk-service-navigation__container">\n'
        '      <span class="govuk-service-navigation__service-name">\n'
        f'        <a href="{home}" class="govuk-service-navigation__link">{name}</a>\n'
        '      </span>\n      ']
    if signed_in:
        html.append(_service_items(items_for(request, "service")))
    html.append('\n    </div>\n    ')
    if signed_in:
        html.append(_account(context, request, user, logout))
    html.append('\n  </div>\n</section>\n')
    return mark_safe("".join(html))  # noqa: S308 - every value escaped above


def _service_items(items: list[dict[str, Any]]) -> str:
    rows = []
    for item in items:
        text = conditional_escape(item["text"])
        current = item["current"]
        rows.append(
            '\n          <li class="govuk-service-navigation__item'
            f'{" govuk-service-navigation__item--active" if current else ""}">\n'
            '            <a class="govuk-service-navigation__link" '
            f'href="{conditional_escape(item["href"])}"'
            f'{_ARIA_CURRENT if current else ""}>\n              '
            + (f'<strong class="govuk-service-navigation__active-fallback">{text}</strong>'
               if current else text)
            + _count(item["count"])
            + '\n            </a>\n          </li>\n          ')
    return (
        '\n      <nav aria-label="Menu" class="govuk-service-navigation__wrapper">\n'
        '        <button type="button" class="govuk-service-navigation__toggle '
        'govuk-js-service-navigation-toggle" aria-controls="navigation" hidden '
        'aria-hidden="true">Menu</button>\n'
        '        <ul class="govuk-service-navigation__list" id="navigation">\n          \n'
        f'          {"".join(rows)}\n        </ul>\n      </nav>\n      ')


def _account(context: Any, request: Any, user: Any, logout: str) -> str:
    team = team_name(request)
    team_text = f", {conditional_escape(team)}" if team else ""
    rows = "".join(
        '\n          <li class="app-account__item"><a class="govuk-link" '
        f'href="{conditional_escape(item["href"])}"'
        f'{_ARIA_CURRENT if item["current"] else ""}>{conditional_escape(item["text"])}'
        f'{_count(item["count"])}</a></li>\n          '
        for item in items_for(request, "account"))
    return (
        '\n    \n    <div class="app-account">\n'
        '      <p class="govuk-body-s app-signed-in">Signed in as '
        f'<strong>{conditional_escape(user.full_name)}</strong>, '
        f'{conditional_escape(user.role_label)}{team_text}</p>\n'
        '      <nav aria-label="Account" class="app-account__nav">\n'
        '        <ul class="app-account__list govuk-body-s">\n          \n'
        f'          {rows}\n'
        '          <li class="app-account__item">\n'
        f'            <form method="post" action="{logout}" class="app-inline-form">\n'
        f'              {_CSRF.render(context)}\n'
        '              <button type="submit" class="app-link-button" '
        'data-testid="sign-out">Sign out</button>\n'
        '            </form>\n          </li>\n        </ul>\n      </nav>\n    </div>\n    ')


_ARIA_CURRENT = ' aria-current="page"'


def _count(count: int) -> str:
    if not count:
        return ""
    count_text = conditional_escape(count)
    return f' <span class="app-count" aria-label="{count_text} unread">{count_text}</span>'
