"""A paged list's sortable column headers (cpcases.core.sorting) written in Python (issue 13
§2).

The caseload and the team's deadlines included templates/includes/sort_headers.html for their
five or six headers: the include and its loop's lookups, conditions and counter (an integer
the template engine formats through the locale) cost the template engine about 0.1 ms a page,
more than the table's own rows cost in Python. The markup is the include's, character for
character (pinned by tests/foundation/test_paged_lists.py against the template it replaced).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def sort_header_cells(headers: Iterable[Any]) -> SafeString:
    """One `<th>` per header (a link to sort by the column when it has an address), ending,
    as the included template's file did, with a newline."""
    cells = []
    for counter, header in enumerate(headers, start=1):
        aria = (f' aria-sort="{conditional_escape(header.aria_sort)}"'
                if header.aria_sort else "")
        label = conditional_escape(header.label)
        shown = (f'<a class="app-sort-link" href="{conditional_escape(header.href)}" '
                 f'data-testid="sort-{counter}">{label}</a>' if header.href else label)
        cells.append(f'<th scope="col" class="govuk-table__header"{aria}>{shown}</th>')
    return mark_safe("".join(cells) + "\n")  # noqa: S308 - every value escaped above


_UNSET: Any = object()


@register.simple_tag(takes_context=True)
def pagination(context: Any, page: Any = _UNSET, page_query: Any = _UNSET,
               page_param: Any = _UNSET, page_label: Any = _UNSET) -> SafeString:
    """`{% include "includes/pagination.html" %}`, character for character: a value not given
    is the page's own (as an include's context), and a page with two paged lists gives each
    its own page_param ("page" unless given) and page_label ("Pages" unless given). The
    numbers are written as the template engine writes an integer (no thousands separator:
    settings.USE_THOUSAND_SEPARATOR is off)."""
    page = context.get("page") if page is _UNSET else page
    other_pages = getattr(page, "has_other_pages", None)
    if other_pages is None or not other_pages():
        return mark_safe("\n")
    query = _given(context, "page_query", page_query)
    param = _given(context, "page_param", page_param) or "page"
    link = f"?{conditional_escape(query)}{conditional_escape(param)}="
    previous = (f'<div class="govuk-pagination__prev"><a class="govuk-link '
                f'govuk-pagination__link" href="{link}{page.previous_page_number()}" '
                f'rel="prev"><span class="govuk-pagination__link-title">Previous<span '
                f'class="govuk-visually-hidden"> page</span></span></a></div>'
                if page.has_previous() else "")
    following = (f'<div class="govuk-pagination__next"><a class="govuk-link '
                 f'govuk-pagination__link" href="{link}{page.next_page_number()}" '
                 f'rel="next"><span class="govuk-pagination__link-title">Next<span '
                 f'class="govuk-visually-hidden"> page</span></span></a></div>'
                 if page.has_next() else "")
    label = conditional_escape(_given(context, "page_label", page_label) or "Pages")
    return mark_safe(  # noqa: S308 - every value escaped above
        f'\n<nav class="govuk-pagination" aria-label="{label}">\n'
        f"  {previous}\n"
        f'  <ul class="govuk-pagination__list">\n'
        f'    <li class="govuk-pagination__item govuk-pagination__item--current"><span '
        f'class="govuk-visually-hidden">Page </span>{page.number} of '
        f"{page.paginator.num_pages}</li>\n"
        f"  </ul>\n"
        f"  {following}\n"
        f"</nav>\n\n")


def _given(context: Any, name: str, value: Any) -> Any:
    """The tag's argument if given, else the page's variable of that name ("" if none, as
    the template engine shows a missing variable)."""
    return context.get(name, "") if value is _UNSET else value
