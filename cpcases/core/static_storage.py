"""The static files' storage: whitenoise's compressed, hashed storage, each file's address
worked out once per process (issue 13 §2).

Every HTML page links seven static files (templates/base.html) and `{% static %}` asked the
storage each time: the manifest's hashed name, then the address quoted and joined to
STATIC_URL, about 0.2 ms of every page's CPU. The manifest is read when the storage is made
and never changes while the process runs, so neither does a name's address; collectstatic
(`post_process`), which writes a new manifest, forgets the addresses kept."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from whitenoise.storage import CompressedManifestStaticFilesStorage

# Bounded: the files the templates name (a few dozen); a name asked that is not a file is
# refused by the manifest (and not kept), so only real files fill it.
_MAX_KEPT = 1024


class KeptUrlsStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """`url()` as the parent class gives it, kept per (name, force) for the process."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._kept_urls: dict[tuple[str | None, bool], str] = {}

    def url(self, name: str | None, force: bool = False) -> str:
        key = (name, force)
        found = self._kept_urls.get(key)
        if found is None:
            found = super().url(name, force)
            if len(self._kept_urls) >= _MAX_KEPT:
                self._kept_urls.clear()
            self._kept_urls[key] = found
        return found

    def post_process(self, *args: Any, **kwargs: Any) -> Iterator[Any]:
        self._kept_urls.clear()
        yield from super().post_process(*args, **kwargs)
        self._kept_urls.clear()
