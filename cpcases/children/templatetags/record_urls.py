"""`{% pk_url 'name' pk %}`: `{% url 'name' pk %}` for a route taking one pk, from the pattern
reversed once per process (cpcases.children.tabs.child_href).

Issue 13 §2: `{% url %}` runs reverse() each time, about a tenth of a millisecond, and the
plan, conferences and chronology tabs draw up to nine of them besides their rows. The URL is
the same string (pinned by tests/foundation/test_record_urls.py); like `{% url %}` it is
escaped, which leaves a path of digits and the route's own characters as it is.
"""

from __future__ import annotations

from django import template

from cpcases.children.tabs import child_href

register = template.Library()


@register.simple_tag
def pk_url(url_name: str, pk: int) -> str:
    return child_href(url_name, pk)
