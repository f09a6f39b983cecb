"""The chronology tab's items and filter options, written in Python for speed (issue 13 §2),
are the template's markup character for character: pinned against the template code of
templates/chronology/chronology.html they replaced."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template

from cpcases.accounts.roles import Agency
from cpcases.chronology.forms import FilterForm
from cpcases.chronology.models import EventType
from cpcases.chronology.providers import ChronologyItem
from cpcases.chronology.templatetags.chronology_items import chronology_items, filter_options

ITEMS = Template("""{% for item in items %}<div class="moj-timeline__item app-chronology__item" data-testid="chronology-item">
  <div class="moj-timeline__header">
    <h3 class="moj-timeline__title">{% if item.href %}<a class="govuk-link" href="{{ item.href }}">{{ item.significant_event }}</a>{% else %}{{ item.significant_event }}{% endif %}</h3>
    <p class="moj-timeline__byline">{{ item.agency_label }}{% if item.author %}, recorded by {{ item.author }}{% endif %}</p>
  </div>
  <p class="moj-timeline__date"><time datetime="{{ item.event_date|date:'Y-m-d' }}{% if item.event_time %}T{{ item.event_time|time:'H:i' }}{% endif %}">{{ item.event_date|date:"j F Y" }}{% if item.event_time %} at {{ item.event_time|time:"H:i" }}{% endif %}</time>
    <strong class="moj-badge moj-badge--{% if item.automatic %}grey{% else %}blue{% endif %}">{{ item.event_type_label }}</strong></p>
  <div class="moj-timeline__description">
  <dl class="govuk-summary-list govuk-summary-list--no-border app-chronology__fields">
    <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Record</dt><dd class="govuk-summary-list__value">{{ item.source }}</dd></div>
    {% if item.who_involved %}<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Who was involved</dt><dd class="govuk-summary-list__value">{{ item.who_involved|linebreaksbr }}</dd></div>{% endif %}
    {% if item.decisions_actions_outcome %}<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Decisions, actions, outcome</dt><dd class="govuk-summary-list__value">{{ item.decisions_actions_outcome|linebreaksbr }}</dd></div>{% endif %}
    {% if item.child_seen is not None or item.child_views %}<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Child seen, views</dt><dd class="govuk-summary-list__value">{% if item.child_seen is not None %}{{ item.child_seen|yesno:"Yes,No" }}{% endif %}{% if item.child_views %}. {{ item.child_views|linebreaksbr }}{% endif %}</dd></div>{% endif %}
    {% if item.author_comments %}<div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Author's comments</dt><dd class="govuk-summary-list__value">{{ item.author_comments|linebreaksbr }}</dd></div>{% endif %}
  </dl>
  </div>
</div>
{% endfor %}""")  # noqa: E501
OPTIONS = Template("""{% for value, label in filter_form.fields.agency.choices %}<option value="{{ value }}"{% if filter_form.agency.value == value %} selected{% endif %}>{{ label }}</option>{% endfor %}""")  # noqa: E501

FULL = ChronologyItem(
    event_date=dt.date(2026, 3, 4), event_time=dt.time(9, 5), event_type=EventType.VISIT,
    significant_event="Visit <seen> & \"heard\"", source="Police's record", agency=Agency.POLICE,
    origin="x:1", who_involved="Sam\nAnn & Bo", decisions_actions_outcome="Line one\n\nLine <3>",
    child_seen=True, child_views="Happy\nat 'school'", author_comments="Noted <b>",
    author="PC O'Neil", automatic=False, href="/a/?b=1&c=<2>")
BARE = ChronologyItem(
    event_date=dt.date(2025, 12, 25), event_type="not-a-type", significant_event="x",
    source="", agency="unknown<", origin="x:2")
MIDNIGHT = ChronologyItem(
    event_date=dt.date(2026, 1, 1), event_time=dt.time(0, 0), event_type=EventType.CONFERENCE,
    significant_event="Conference", source="Social work record",
    agency=Agency.CHILDRENS_SOCIAL_CARE, origin="x:3", child_seen=False)
VIEWS_ONLY = ChronologyItem(
    event_date=dt.date(2026, 1, 2), event_type=EventType.OTHER, significant_event="y",
    source="s", agency=Agency.HEALTH, origin="x:4", child_views="Wants to stay")


@pytest.mark.parametrize("items", [[FULL, BARE, MIDNIGHT, VIEWS_ONLY], [BARE], []])
def test_the_items_are_the_templates(items):
    assert chronology_items(items) == ITEMS.render(Context({"items": items}))


@pytest.mark.parametrize("data", [None, {"agency": Agency.POLICE}, {"agency": "nonsense"},
                                  {"agency": ""}, {"event_type": EventType.VISIT}])
def test_the_filter_options_are_the_templates(data):
    form = FilterForm(data)
    assert filter_options(form["agency"]) == OPTIONS.render(Context({"filter_form": form}))
