"""Where each deadline is done: one declaration per rule, filled in by the workflow apps.

Each workflow app declares, in its AppConfig.ready() (like the record's tabs and the header's
navigation), for each rule it owns what to do ("Record the consultation") and which page does
it: a route reversed with the deadline's subject (a conference, a consultation…) when the
deadline is about one, otherwise with the child. "My work", the deadline pages, the API and
the e-mails all take their links from here, so a link is declared once.

The link is worked out from the deadline row alone (subject type, subject id, child id): no
query per item.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.urls import NoReverseMatch, reverse

from deadlines.models import Deadline


@dataclass(frozen=True)
class WorkLink:
    """For one rule: what the person must do and where.

    `url_name` is reversed with the subject's pk when the deadline's subject is a
    `subject_model` ("app_label.model"); otherwise `child_url_name` with the child's pk.
    """

    rule_id: str
    action: str
    child_url_name: str = "deadlines:child"
    url_name: str = ""
    subject_model: str = ""


@dataclass(frozen=True)
class Link:
    action: str
    url: str


_LINKS: dict[str, WorkLink] = {}


def register_work(link: WorkLink) -> None:
    _LINKS[link.rule_id] = link


def registered() -> dict[str, WorkLink]:
    return dict(_LINKS)


def _subject_label(deadline: Deadline) -> str:
    if not deadline.content_type_id:
        return ""
    # select_related("content_type") on the page's query, or Django's content type cache.
    ct = (deadline.content_type if Deadline.content_type.is_cached(deadline)
          else ContentType.objects.get_for_id(deadline.content_type_id))
    return f"{ct.app_label}.{ct.model}"


# reverse() costs about half a millisecond: a sweep's e-mails link tens of thousands of
# deadlines (issue 13 §4). Each route is reversed once with a placeholder id, then filled in.
_PLACEHOLDER = "918273645546372819"
_TEMPLATES: dict[str, str] = {}


def _url(url_name: str, pk: int) -> str:
    template = _TEMPLATES.get(url_name)
    if template is None:
        template = _TEMPLATES[url_name] = reverse(url_name, args=[int(_PLACEHOLDER)])
    return template.replace(_PLACEHOLDER, str(pk))


def child_deadlines_url(child_id: int) -> str:
    """The child's deadlines tab (the deadline tables link every row to it)."""
    return _url("deadlines:child", child_id)


def link_for(deadline: Deadline) -> Link:
    """What to do for this deadline and the page where it is done."""
    return _link(deadline.rule_id, deadline.object_id, deadline.child_id,
                 lambda: _subject_label(deadline))


def link_for_row(*, rule_id: str, content_type_id: int | None, object_id: int | None,
                 child_id: int) -> Link:
    """As link_for, from the deadline's columns (no model instance)."""

    def label() -> str:
        if not content_type_id:
            return ""
        ct = ContentType.objects.get_for_id(content_type_id)
        return f"{ct.app_label}.{ct.model}"

    return _link(rule_id, object_id, child_id, label)


def _link(rule_id: str, object_id: int | None, child_id: int,
          subject_label: Callable[[], str]) -> Link:
    spec = _LINKS.get(rule_id)
    if spec is None:
        return Link("Open the child's deadlines", _url("deadlines:child", child_id))
    if spec.url_name and object_id and subject_label() == spec.subject_model:
        try:
            return Link(spec.action, _url(spec.url_name, object_id))
        except NoReverseMatch:  # a route renamed in a workflow app: fall back to the child
            pass
    return Link(spec.action, _url(spec.child_url_name, child_id))
