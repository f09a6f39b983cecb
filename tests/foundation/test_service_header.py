"""Every page's header, drawn in Python for speed (issue 13 §2), is the template's markup
character for character: pinned against the template it replaced."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import RequestFactory

from cpcases.core import header as header_module
from cpcases.core.header import service_header

# templates/includes/service_navigation.html before issue 13 §2 (items passed in, as the
# navigation_items tag gave them).
REFERENCE = Template("""
<section aria-label="Service information" class="govuk-service-navigation" data-module="govuk-service-navigation">
  <div class="govuk-width-container">
    <div class="govuk-service-navigation__container">
      <span class="govuk-service-navigation__service-name">
        <a href="{% url 'home' %}" class="govuk-service-navigation__link">{{ service_name }}</a>
      </span>
      {% if user.is_authenticated %}
      <nav aria-label="Menu" class="govuk-service-navigation__wrapper">
        <button type="button" class="govuk-service-navigation__toggle govuk-js-service-navigation-toggle" aria-controls="navigation" hidden aria-hidden="true">Menu</button>
        <ul class="govuk-service-navigation__list" id="navigation">
          {% comment %}{% navigation_items as items %}{% endcomment %}
          {% for item in items %}
          <li class="govuk-service-navigation__item{% if item.current %} govuk-service-navigation__item--active{% endif %}">
            <a class="govuk-service-navigation__link" href="{{ item.href }}"{% if item.current %} aria-current="page"{% endif %}>
              {% if item.current %}<strong class="govuk-service-navigation__active-fallback">{{ item.text }}</strong>{% else %}{{ item.text }}{% endif %}{% if item.count %} <span class="app-count" aria-label="{{ item.count }} unread">{{ item.count }}</span>{% endif %}
            </a>
          </li>
          {% endfor %}
        </ul>
      </nav>
      {% endif %}
    </div>
    {% if user.is_authenticated %}
    {% comment %}The account line: who is signed in, and the links about the account rather than
    the work (GOV.UK's account links in the header), so the service navigation stays one row.{% endcomment %}
    <div class="app-account">
      <p class="govuk-body-s app-signed-in">Signed in as <strong>{{ user.full_name }}</strong>, {{ user.role_label }}{% if user.team %}, {{ user.team }}{% endif %}</p>
      <nav aria-label="Account" class="app-account__nav">
        <ul class="app-account__list govuk-body-s">
          {% comment %}{% navigation_items "account" as account_items %}{% endcomment %}
          {% for item in account_items %}
          <li class="app-account__item"><a class="govuk-link" href="{{ item.href }}"{% if item.current %} aria-current="page"{% endif %}>{{ item.text }}{% if item.count %} <span class="app-count" aria-label="{{ item.count }} unread">{{ item.count }}</span>{% endif %}</a></li>
          {% endfor %}
          <li class="app-account__item">
            <form method="post" action="{% url 'accounts:logout' %}" class="app-inline-form">
              <input type="hidden" name="csrf">
              <button type="submit" class="app-link-button" data-testid="sign-out">Sign out</button>
            </form>
          </li>
        </ul>
      </nav>
    </div>
    {% endif %}
  </div>
</section>
""")  # noqa: E501

SERVICE = [
    {"text": "My work", "href": "/", "current": False, "count": 0},
    {"text": "Children & <families>", "href": "/children/?a=1&b=2", "current": True,
     "count": 3},
    {"text": "Conferences", "href": "/conferences/", "current": False, "count": 12},
]
ACCOUNT = [
    {"text": "Notifications", "href": "/notifications/", "current": True, "count": 2},
    {"text": "Help", "href": "/help/", "current": False, "count": 0},
]


class _Csrf:
    def render(self, context):
        return '<input type="hidden" name="csrf">'


@pytest.fixture
def drawn(monkeypatch):
    """The header as Python draws it, with the given entries and team."""
    def draw(user, *, service, account, team):
        monkeypatch.setattr(header_module, "items_for",
                            lambda request, place: service if place == "service" else account)
        monkeypatch.setattr(header_module, "team_name", lambda request: team)
        monkeypatch.setattr(header_module, "_CSRF", _Csrf())
        request = RequestFactory().get("/children/")
        request.user = user
        context = {"request": request, "user": user, "service_name": "Child <protection>"}
        return service_header(context)
    return draw


def _user(team):
    return SimpleNamespace(is_authenticated=True, full_name="Tara O'Neil & \"Co\"",
                           role_label="Team manager", team=team)


@pytest.mark.parametrize("team", ["North <east> & Co", ""])
@pytest.mark.parametrize(("service", "account"), [(SERVICE, ACCOUNT), ([], [])])
def test_the_signed_in_header_is_the_templates(db, drawn, team, service, account):
    user = _user(team)
    expected = REFERENCE.render(Context({
        "user": user, "service_name": "Child <protection>", "items": service,
        "account_items": account}))
    assert drawn(user, service=service, account=account, team=team) == expected


def test_the_signed_out_header_is_the_templates(db, drawn):
    expected = REFERENCE.render(Context({"user": AnonymousUser(),
                                         "service_name": "Child <protection>"}))
    assert drawn(AnonymousUser(), service=SERVICE, account=ACCOUNT, team="x") == expected
