"""Each path's URL resolution is kept per process (cpcases.core.resolving, issue 13 §2): a
request resolves to the same view, arguments, names and route as Django's walk of the
patterns gives, the first time and every time after; a path nothing matches is a 404
every time; links are reversed as before."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import NoReverseMatch, Resolver404, URLResolver, get_resolver, reverse
from django.urls.resolvers import RegexPattern, ResolverMatch, RoutePattern

from cpcases import urls
from cpcases.core import resolving
from cpcases.core.resolving import RememberingResolver

PATHS = [
    "/",                                  # My work
    "/help/",
    "/api/v1/children/",                  # the first router's list
    "/api/v1/children/12/",               # its record (an id captured)
    "/api/v1/agency-view-requests/",      # a list after every other app's routes
    "/api/v1/assessments/",
    "/api/v1/conferences/7/",
    "/api/v1/deadlines/?page=2",          # (the query string is not part of the path)
    "/healthz",
]


def _plain_root() -> URLResolver:
    """The project's patterns resolved as Django resolves them, nothing kept."""
    inner = URLResolver(RoutePattern("", is_endpoint=False), urls.urlpatterns[0].url_patterns)
    return URLResolver(RegexPattern(r"^/"), [inner])


def _seen(match: ResolverMatch) -> tuple[Any, ...]:
    return (match.func, match.args, match.kwargs, match.url_name, match.app_names,
            match.namespaces, match.view_name, match.route, match.captured_kwargs,
            match.extra_kwargs)


def test_the_project_urls_sit_behind_one_remembering_resolver() -> None:
    assert len(urls.urlpatterns) == 1
    assert isinstance(urls.urlpatterns[0], RememberingResolver)


@pytest.mark.parametrize("path", [p.split("?")[0] for p in PATHS])
def test_a_path_resolves_as_django_resolves_it_every_time(path: str) -> None:
    expected = _seen(_plain_root().resolve(path))
    first = get_resolver().resolve(path)
    second = get_resolver().resolve(path)
    assert _seen(first) == expected
    assert _seen(second) == expected


def test_each_request_gets_its_own_match_and_arguments() -> None:
    # A view that changed its kwargs must not change the next request's.
    first = get_resolver().resolve("/api/v1/children/12/")
    first.kwargs["pk"] = "99"
    second = get_resolver().resolve("/api/v1/children/12/")
    assert second is not first
    assert second.kwargs == {"pk": "12"}


def test_a_path_that_matches_nothing_is_a_404_each_time_and_not_kept() -> None:
    remembering = urls.urlpatterns[0]
    for _ in range(2):
        with pytest.raises(Resolver404):
            get_resolver().resolve("/api/v1/no-such-list/")
    assert "api/v1/no-such-list/" not in remembering._matches


def test_at_most_so_many_paths_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resolving, "KEPT_PATHS", 3)
    remembering = RememberingResolver(urls.urlpatterns[0].url_patterns)
    for pk in range(1, 6):
        assert remembering.resolve(f"api/v1/children/{pk}/").kwargs == {"pk": str(pk)}
    assert list(remembering._matches) == ["api/v1/children/3/", "api/v1/children/4/",
                                          "api/v1/children/5/"]


def test_links_are_reversed_as_before() -> None:
    assert reverse("home") == "/"
    assert reverse("api:child-list") == "/api/v1/children/"
    assert reverse("api:child-detail", kwargs={"pk": 12}) == "/api/v1/children/12/"
    with pytest.raises(NoReverseMatch):
        reverse("api:child-detail", kwargs={"pk": "abc"})  # ids only (issue 12 §7)
