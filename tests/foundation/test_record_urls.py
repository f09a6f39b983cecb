"""`{% pk_url %}` (cpcases/children/templatetags/record_urls.py, issue 13 §2) writes what
`{% url %}` wrote, for every route the templates name with it, under any script prefix; the
chronology's links are reverse()'s."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines
from django.urls import reverse, set_script_prefix

from cpcases.chronology import sources

_USE = re.compile(r"\{% pk_url '([a-z_:]+)' [a-z_.]+ %\}")


def _routes() -> list[str]:
    names = {name for folder in settings.TEMPLATES[0]["DIRS"]
             for path in Path(folder).rglob("*.html")
             for name in _USE.findall(path.read_text())}
    return sorted(names)


def test_the_tab_templates_use_it() -> None:
    # The plan, conferences and chronology tabs' links (a test naming none would pass idly).
    assert {"plans:meeting_new", "plans:start", "conferences:request_new",
            "chronology:print"} <= set(_routes())


@pytest.mark.parametrize("prefix", ["/", "/cases/"])
@pytest.mark.parametrize("route", _routes())
def test_pk_url_is_the_url_tag(route: str, prefix: str) -> None:
    engine = engines["django"]
    old = engine.from_string("{% url route pk %}|{% url route pk as u %}{{ u }}")
    new = engine.from_string("{% load record_urls %}{% pk_url route pk %}|"
                             "{% pk_url route pk as u %}{{ u }}")
    set_script_prefix(prefix)
    try:
        for pk in (1, 38, 1234567890):
            context = {"route": route, "pk": pk}
            assert new.render(context) == old.render(context)
            assert new.render(context).startswith(prefix)
    finally:
        set_script_prefix("/")


def test_chronology_links_are_reversed_routes() -> None:
    assert sources._url("chronology:visits", 38) == reverse("chronology:visits", args=[38])
    assert sources._url("strategy:discussion_detail", 7) == reverse(
        "strategy:discussion_detail", args=[7])
    # A route not installed links nothing, as before.
    assert sources._url("nowhere:detail", 7) == ""
