"""My work's body, written in Python for speed (issue 13 §2: deadlines.mywork_page), is the
template's markup character for character: pinned against the template it replaced. The
API's answer, written out likewise (deadlines.api.my_work_data), is its serializer's."""

from __future__ import annotations

import json
from dataclasses import replace
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.urls import reverse

from deadlines.api import MyWorkSerializer, my_work_data
from deadlines.mywork import GROUPS, Group, MyWork, QueueItem, QueueView
from deadlines.mywork_page import body
from deadlines.presentation import Countdown, State

# templates/deadlines/my_work.html from its counts to its queues before issue 13 §2.
REFERENCE = Template("""{% load deadline_tables %}{% if work.nothing %}
<p class="govuk-body" data-testid="nothing">You have nothing to do at the moment.</p>
{% endif %}
<ul class="app-work-summary govuk-list" data-testid="work-counts">
  {% for g in work.groups %}
  <li class="app-work-summary__item"><a class="govuk-link" href="#{{ g.key }}"><span class="app-work-summary__count" data-testid="count-{{ g.key }}">{{ g.count }}</span> {{ g.title|lower }}</a></li>
  {% endfor %}
</ul>

<h2 class="govuk-heading-m">My deadlines</h2>
<p class="govuk-body"><a class="govuk-link" href="{% url 'deadlines:mine' %}">All my deadlines</a></p>
{% for g in work.groups %}
<section class="app-work-group" aria-labelledby="{{ g.key }}" data-testid="group-{{ g.key }}">
  <h3 class="govuk-heading-s" id="{{ g.key }}">{{ g.title }} ({{ g.count }})</h3>
  {% if g.items %}
  {% deadline_table g.items g.key %}
  {% if g.more %}<p class="govuk-body"><a class="govuk-link" href="{{ g.show_all_url }}">Show all {{ g.count }}<span class="govuk-visually-hidden"> {{ g.title|lower }}</span></a></p>{% endif %}
  {% else %}
  <p class="govuk-body">{{ g.empty }}</p>
  {% endif %}
</section>
{% endfor %}

{% if work.breaches_url %}
<h2 class="govuk-heading-m" id="team-breaches">Team breaches ({{ work.breach_count }})</h2>
{% if work.breaches %}
{% deadline_table work.breaches "breaches" True %}
<p class="govuk-body"><a class="govuk-link" href="{{ work.breaches_url }}">Show all {{ work.breach_count }}<span class="govuk-visually-hidden"> team breaches</span></a></p>
{% else %}
<p class="govuk-body">No deadline in your team is overdue.</p>
{% endif %}
{% endif %}

{% for q in work.queues %}
<section class="app-work-group" aria-labelledby="queue-{{ q.key }}" data-testid="queue-{{ q.key }}">
  <h2 class="govuk-heading-m" id="queue-{{ q.key }}">{{ q.title }} ({{ q.count }})</h2>
  {% if q.items %}
  <ul class="govuk-list app-queue">
    {% for item in q.items %}
    <li class="app-queue__item"><a class="govuk-link" href="{{ item.url }}">{{ item.action }}</a> for {{ item.who }}{% if item.when %}<br><span class="govuk-body-s">{{ item.when }}</span>{% endif %}</li>
    {% endfor %}
  </ul>
  {% if q.show_all_url %}<p class="govuk-body"><a class="govuk-link" href="{{ q.show_all_url }}">Show all {{ q.count }}<span class="govuk-visually-hidden"> {{ q.title|lower }}</span></a></p>{% endif %}
  {% else %}
  <p class="govuk-body">{{ q.empty }}</p>
  {% endif %}
</section>
{% endfor %}""")  # noqa: E501


def _deadline(pk: int) -> SimpleNamespace:
    child = SimpleNamespace(is_restricted=pk % 2 == 0, la_child_id=f"LA<{pk}>",
                            display_name="Ann & \"Bo\" O'Neil")
    return SimpleNamespace(
        pk=pk, child_id=pk + 100, child=child, child_url=f"/deadlines/child/{pk + 100}/",
        action="Hold the <strategy> discussion", action_url=f"/strategy/{pk}/?a=1&b=2",
        rule_name="Strategy & more", due_text="4 March 2026", responsible=None,
        countdown=Countdown(State.OVERDUE, "2 working days overdue", working_days=-2))


def _groups(counts: tuple[int, ...], shown: int) -> list[Group]:
    return [Group(spec.key, spec.title, spec.empty, count,
                  [_deadline(10 * i + n) for n in range(min(count, shown))],
                  f"/deadlines/mine/?group={spec.key}&x=<1>")
            for i, (spec, count) in enumerate(zip(GROUPS, counts, strict=True))]


_ITEMS = [QueueItem("Approve <it>", "Child LA1, Ann & Bo", "/conferences/1/?a=1&b=2"),
          QueueItem("Offer a date", "O'Neil", "/conferences/2/", "Offer by 4 March & later")]

WORKS = [
    MyWork(groups=_groups((0, 0, 0, 0), 5), mine_url=""),
    MyWork(groups=_groups((7, 1, 0, 3), 5), mine_url="",
           queues=[QueueView("approvals", "Requests to <approve>", 3, _ITEMS, "/q/?a&b",
                             "Nothing waiting."),
                   QueueView("empty", "Empty & quiet", 0, [], "", "Nothing <waiting>."),
                   QueueView("no_page", "Reports", 2, _ITEMS[:1], "", "Nothing.")],
           breaches=[_deadline(90), _deadline(91)], breach_count=1421,
           breaches_url="/deadlines/team/?status=overdue"),
    MyWork(groups=_groups((0, 2, 0, 0), 5), mine_url="",
           breaches_url="/deadlines/team/?status=overdue"),
    MyWork(groups=_groups((0, 0, 0, 0), 5), mine_url="",
           queues=[QueueView("empty", "Empty", 1, [], "/q/", "Nothing waiting.")]),
]


@pytest.mark.parametrize("work", WORKS)
def test_the_body_is_the_templates_markup(work):
    work = replace(work, mine_url=reverse("deadlines:mine"))
    assert str(body(work)) == REFERENCE.render(Context({"work": work}))


@pytest.mark.parametrize("work", WORKS)
def test_the_apis_answer_is_its_serializers(work):
    # Without deadlines: each is its own serializer's in both (test_deadline_api pins it).
    work = replace(work, breaches=[], groups=[replace(g, items=[]) for g in work.groups])
    breaches = None
    if work.breaches_url:
        breaches = {"count": work.breach_count, "items": work.breaches,
                    "show_all_url": work.breaches_url}
    expected = MyWorkSerializer({"groups": work.groups, "queues": work.queues,
                                 "team_breaches": breaches}).data
    assert json.dumps(my_work_data(work)) == json.dumps(expected)
