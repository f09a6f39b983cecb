"""Every HTML page's frame (templates/base.html), issue 13 §2: `{% fixed_url %}` writes what
`{% url %}` wrote under any script prefix; the static files' storage gives each file the
address whitenoise's storage gives it, worked out once."""

from __future__ import annotations

import json

import pytest
from django.template import engines
from django.test import override_settings
from django.urls import set_script_prefix
from whitenoise.storage import CompressedManifestStaticFilesStorage

from cpcases.core.static_storage import KeptUrlsStaticFilesStorage


@pytest.mark.parametrize("prefix", ["/", "/cases/"])
@pytest.mark.parametrize("route", ["accounts:session_extend", "accounts:login", "home"])
def test_fixed_url_is_the_url_tag(route: str, prefix: str) -> None:
    engine = engines["django"]
    old = engine.from_string("{% url route %}")
    new = engine.from_string("{% load nav %}{% fixed_url route %}")
    set_script_prefix(prefix)
    try:
        assert new.render({"route": route}) == old.render({"route": route})
        assert new.render({"route": route}).startswith(prefix)
    finally:
        set_script_prefix("/")


def _storages(tmp_path, hashed: dict[str, str]) -> tuple[object, object]:
    (tmp_path / "staticfiles.json").write_text(json.dumps(
        {"paths": hashed, "version": "1.1", "hash": "x"}))
    return (KeptUrlsStaticFilesStorage(location=str(tmp_path), base_url="/static/"),
            CompressedManifestStaticFilesStorage(location=str(tmp_path), base_url="/static/"))


@override_settings(DEBUG=False)
def test_the_static_storage_gives_whitenoises_addresses_kept_for_the_process(tmp_path) -> None:
    kept, plain = _storages(tmp_path, {"css/app.css": "css/app.0123abcd.css",
                                       "js/a b.js": "js/a b.4567ef01.js"})
    for name in ("css/app.css", "js/a b.js"):
        assert kept.url(name) == plain.url(name)
        assert kept.url(name) == kept.url(name)
    assert kept.url("css/app.css") == "/static/css/app.0123abcd.css"
    # Kept: a name's address is not asked of the manifest again while the process runs...
    kept.hashed_files["css/app.css"] = "css/app.89abcdef.css"
    assert kept.url("css/app.css") == "/static/css/app.0123abcd.css"
    # ...until collectstatic writes a new manifest (a dry run here: it empties the names).
    list(kept.post_process({}, dry_run=True))
    kept.hashed_files = {"css/app.css": "css/app.89abcdef.css"}
    assert kept.url("css/app.css") == "/static/css/app.89abcdef.css"
    # A name the manifest does not hold is refused each time, never kept.
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            kept.url("css/missing.css")
