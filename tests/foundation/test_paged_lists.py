"""A paged list's sort headers and page links, written in Python (issue 13 §2), are the
templates they replaced character for character: templates/includes/sort_headers.html and
templates/includes/pagination.html as the caseload, the team's deadlines and the Audit tab
included them."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.paginator import Paginator
from django.template import engines

from cpcases.core.sorting import SortHeader
from cpcases.core.templatetags.paged import sort_header_cells

# templates/includes/sort_headers.html before issue 13 §2 (the file ended with a newline).
SORT_HEADERS = engines["django"].from_string(
    '{% for h in headers %}<th scope="col" class="govuk-table__header"{% if h.aria_sort %} '
    'aria-sort="{{ h.aria_sort }}"{% endif %}>{% if h.href %}<a class="app-sort-link" '
    'href="{{ h.href }}" data-testid="sort-{{ forloop.counter }}">{{ h.label }}</a>{% else %}'
    "{{ h.label }}{% endif %}</th>{% endfor %}\n")

# The include the other pages still use: the tag must keep writing what it writes.
PAGINATION = engines["django"].get_template("includes/pagination.html")

HEADER_SETS = [
    [SortHeader("Name", "?sort=-name", "ascending"), SortHeader("Child ID", "?sort=child_id",
                                                                  "none"),
     SortHeader("Date <of> birth", "?q=a&b=%22c%22&sort=born", "descending"),
     SortHeader("Social worker")],
    [SortHeader("Due", "?status=open&sort=-due", "ascending")],
    [SortHeader("Anne's \"team\"")],
    [],
]


@pytest.mark.parametrize("headers", HEADER_SETS)
def test_the_sort_headers_are_the_included_templates(headers):
    assert sort_header_cells(headers) == SORT_HEADERS.render({"headers": headers})


def test_an_unsortable_column_is_a_plain_header_and_a_sorted_one_says_its_order():
    cells = sort_header_cells([SortHeader("Name", "?sort=-name", "ascending"),
                               SortHeader("Social worker")])
    assert ('<th scope="col" class="govuk-table__header" aria-sort="ascending"><a '
            'class="app-sort-link" href="?sort=-name" data-testid="sort-1">Name</a></th>'
            in cells)
    assert '<th scope="col" class="govuk-table__header">Social worker</th>' in cells


def _page(count: int, number: int, per_page: int = 25):
    return Paginator(list(range(count)), per_page).get_page(number)


PAGES = [_page(0, 1), _page(10, 1), _page(100, 1), _page(100, 2), _page(100, 4),
         _page(30_000, 1_100, per_page=25), None]
CONTEXTS = [
    {},
    {"page_query": "status=open&sort=-due&"},
    {"page_query": "q=<a>&", "page_param": "changes", "page_label": "Pages of changes"},
    {"page_query": None, "page_param": "", "page_label": ""},
]


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("values", CONTEXTS)
def test_the_page_links_are_the_included_templates_from_the_pages_context(page, values):
    engine = engines["django"]
    context = {"page": page, **values}
    new = engine.from_string("{% load paged %}{% pagination %}")
    assert new.render(context) == PAGINATION.render(context)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("values", CONTEXTS)
def test_the_page_links_are_the_included_templates_given_their_values(page, values):
    """`{% pagination page=… page_query=… %}` as `{% include … with page=… %}`: what is given
    in place of the page's own variables, what is not from the page."""
    engine = engines["django"]
    outer = {"other": page, "page": _page(100, 3), "page_query": "kept=1&", **{
        f"given_{name}": value for name, value in values.items()}}
    given = " ".join(f"{name}=given_{name}" for name in values)
    new = engine.from_string(f"{{% load paged %}}{{% pagination page=other {given} %}}")
    old = engine.from_string(
        f'{{% include "includes/pagination.html" with page=other {given} %}}')
    assert new.render(outer) == old.render(outer)


def test_a_middle_page_links_both_ways_keeping_the_filters_escaped():
    html = engines["django"].from_string("{% load paged %}{% pagination %}").render(
        {"page": _page(100, 2), "page_query": "status=open&"})
    assert 'href="?status=open&amp;page=1" rel="prev"' in html
    assert 'href="?status=open&amp;page=3" rel="next"' in html
    assert "</span>2 of 4</li>" in html


def test_a_list_of_one_page_has_no_page_links():
    assert engines["django"].from_string("{% load paged %}{% pagination %}").render(
        {"page": SimpleNamespace(has_other_pages=lambda: False)}) == "\n"
