"""The caseload's and the search's rows written in Python (cpcases/children/templatetags/
child_rows.py, issue 13 §2) are character for character what the templates' loops wrote,
every value escaped as the template escaped it."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.template import engines
from django.utils.safestring import mark_safe

from cpcases.accounts.models import User
from cpcases.children.models import Child, CpStage

# The loops as the templates had them (templates/children/caseload.html, search.html).
CASELOAD_LOOP = """    {% for child in page.object_list %}
    <tr class="govuk-table__row">
      <td class="govuk-table__cell"><a class="govuk-link" href="{{ child.record_url }}">{{ child.display_name }}</a></td>
      <td class="govuk-table__cell">{{ child.la_child_id }}</td>
      <td class="govuk-table__cell">{% if child.is_unborn %}Due {{ child.expected_delivery_date|date:"d/m/Y" }}{% else %}{{ child.date_of_birth|date:"d/m/Y" }}{% endif %}</td>
      <td class="govuk-table__cell">{{ child.get_cp_stage_display }}</td>
      <td class="govuk-table__cell">{% for a in child.current_allocations %}{{ a.social_worker|default:"Unallocated" }}{% empty %}Unallocated{% endfor %}</td>
    </tr>
    {% endfor %}
"""  # noqa: E501
SEARCH_LOOP = """  {% for child in results %}
  <li><a class="govuk-link" href="{{ child.record_url }}">{{ child.display_name }}</a> <span class="govuk-hint">ID {{ child.la_child_id }}, {% if child.is_unborn %}due {{ child.expected_delivery_date|date:"d/m/Y" }}{% else %}born {{ child.date_of_birth|date:"d/m/Y" }}{% endif %}</span></li>
  {% endfor %}
"""  # noqa: E501


def _children() -> list[Child]:
    worker = User(username="sw<1>", full_name='Sam "O\'Social" & co')
    nameless = User(username="plain&user", full_name="")
    rows = [
        Child(pk=1, first_name="Alfie", last_name="Smith", la_child_id="LA001",
              date_of_birth=dt.date(2015, 3, 9), cp_stage=CpStage.PLAN),
        Child(pk=2, first_name='<b>Zo"e</b>', last_name="O'Neil & Sons",
              la_child_id="<script>", date_of_birth=None, cp_stage=CpStage.NONE),
        Child(pk=3, first_name="", last_name="Young", la_child_id="U1", is_unborn=True,
              expected_delivery_date=dt.date(2027, 1, 1), cp_stage=CpStage.CONFERENCE),
        Child(pk=4, first_name="", last_name="", la_child_id="U2", is_unborn=True,
              expected_delivery_date=None, cp_stage=CpStage.STRATEGY),
        Child(pk=5, first_name="Old", last_name="Date", la_child_id="X",
              date_of_birth=dt.date(999, 12, 31), cp_stage=CpStage.SECTION_47),
        # A stage no longer among the choices: shown as its value, escaped.
        Child(pk=6, first_name="Gone", last_name="By", la_child_id="G",
              date_of_birth=dt.date(2010, 1, 1), cp_stage="<old & odd>"),
    ]
    # One current allocation a child at most (allocation_one_current); the loop read the
    # prefetched allocations, the tag the name the page's query gives (selectors.caseload).
    allocations = [[SimpleNamespace(social_worker=worker)], [],
                   [SimpleNamespace(social_worker=None)],
                   [SimpleNamespace(social_worker=nameless)], [], []]
    for child, current, url in zip(rows, allocations,
                                   ["/children/1/", "/children/2/?a=1&b=<2>",
                                    mark_safe("/children/3/&amp;"), "", "/x\"y/",
                                    "/children/6/"],
                                   strict=True):
        child.current_allocations = current
        child.worker_shown = next((str(a.social_worker) for a in current if a.social_worker),
                                  None)
        child.record_url = url
    return rows


@pytest.mark.parametrize(("loop", "tag", "name"), [
    (CASELOAD_LOOP, "    {% caseload_rows page.object_list %}\n", "page"),
    (SEARCH_LOOP, "  {% search_rows results %}\n", "results")])
def test_the_rows_are_the_loops_character_for_character(loop, tag, name):
    engine = engines["django"]
    children = _children()
    for shown in (children, children[:1], []):
        context = {"page": SimpleNamespace(object_list=shown), "results": shown}
        expected = engine.from_string(loop).render(context)
        written = engine.from_string("{% load child_rows %}" + tag).render(context)
        assert written == expected, name


# The search form as searched: nothing, words, a date, values to escape, spaces kept.
SEARCHES = [None, {}, {"q": ""}, {"q": "Alfie"}, {"q": '  a"<b> & \'c\'  '},
            {"q": "x", "date_of_birth_0": "1", "date_of_birth_1": "2",
             "date_of_birth_2": "2015"},
            {"date_of_birth_0": " 09 ", "date_of_birth_1": "12", "date_of_birth_2": "2001"},
            {"q": "&amp;", "other": "ignored"}]
# …and with errors, which the page leaves to crispy.
WRONG = [{"date_of_birth_0": "31", "date_of_birth_1": "2", "date_of_birth_2": "2015"},
         {"date_of_birth_0": "x"}, {"q": "a", "date_of_birth_2": "<2015>"}]


def test_the_search_form_is_crispys_character_for_character():
    from django.http import QueryDict

    from cpcases.children.forms import SearchForm

    engine = engines["django"]
    crispy = engine.from_string("{% load crispy_forms_tags %}{% crispy form %}")
    written = engine.from_string("{% load child_rows %}{% search_form form %}")
    for data in SEARCHES:
        query = None if data is None else QueryDict(mutable=True)
        if query is not None:
            query.update(data)
        form = SearchForm(query)
        assert not form.errors, data
        assert written.render({"form": form}) == crispy.render({"form": form}), data


@pytest.mark.django_db
def test_a_search_with_a_wrong_date_shows_crispys_form_with_its_errors(client, sw):
    from cpcases.children.forms import SearchForm

    client.force_login(sw)
    crispy = engines["django"].from_string("{% load crispy_forms_tags %}{% crispy form %}")
    for data in WRONG:
        form = SearchForm(data)
        assert form.errors, data
        page = client.get("/children/search/", data).content.decode()
        assert crispy.render({"form": form}) in page, data
        assert "govuk-error-summary" in page
