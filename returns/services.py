"""Producing a return: build it for the user's children, record who exported what (a
ReturnExport row and one access-log entry per child named), and write files atomically
(issue 16 points 1, 3, 5, 7)."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from cpcases.accounts.models import Authority, User
from cpcases.audit.middleware import client_ip
from cpcases.audit.models import AccessAction, AccessEvent
from cpcases.children.models import Child
from returns import annex_a, census
from returns.models import ReturnExport, ReturnKind
from returns.periods import annex_a_list, annex_a_window, census_period
from returns.selectors import return_children, scope_label

FORMATS = ("xlsx", "csv")


@dataclass(frozen=True)
class Export:
    content: bytes
    filename: str
    content_type: str
    child_ids: list[int]
    record: ReturnExport


def _audit(*, kind: str, authority: Authority, user: User | None, child_ids: list[int],
           filename: str, parameters: dict[str, object], scope: str,
           request: HttpRequest | None, command: str) -> ReturnExport:
    with transaction.atomic():
        record = ReturnExport.objects.create(
            authority=authority, kind=kind, user=user, parameters=parameters,
            filename=filename, children_count=len(child_ids), scope=scope[:200])
        path = request.get_full_path()[:500] if request is not None else command
        ip = client_ip(request) if request is not None else None
        AccessEvent.objects.bulk_create(
            AccessEvent(user=user, child_id=child_id, action=AccessAction.EXPORT, path=path,
                        section=kind, ip_address=ip,
                        detail={"export": record.pk, "file": filename})
            for child_id in child_ids)
        if request is not None:
            request.__dict__.setdefault("_audited_children", set()).update(child_ids)
    return record


def _children_for(user: User | None, authority: Authority | None) -> tuple[QuerySet[Child],
                                                                          Authority, str]:
    if user is not None:
        return return_children(user), user.authority, scope_label(user)
    assert authority is not None
    return (Child.objects.filter(authority=authority, merged_into__isnull=True), authority,
            authority.name)


@dataclass(frozen=True)
class Built:
    """A return built in memory, not yet written or recorded."""

    content: bytes
    filename: str
    content_type: str
    child_ids: list[int]
    kind: str
    parameters: dict[str, object]
    scope: str
    authority: Authority


def census_build(*, year: int, user: User | None = None, authority: Authority | None = None,
                 today: dt.date | None = None,
                 progress: census.Progress | None = None) -> Built:
    """The CIN census XML for the user's children (or, from the command line, the
    authority's). Raises PeriodError for a year not supported or not ended."""
    period = census_period(year, today=today)
    children, authority, scope = _children_for(user, authority)
    built = census.build_census(children, period, progress=progress)
    return Built(census.to_xml(built), f"cin-census-{period.year}.xml", "application/xml",
                 list(census.child_ids(built)), ReturnKind.CIN_CENSUS, {"year": year}, scope,
                 authority)


def annex_a_build(*, number: int, end: dt.date, months: int, fmt: str,
                  user: User | None = None, authority: Authority | None = None,
                  today: dt.date | None = None,
                  progress: annex_a.Progress | None = None) -> Built:
    """An Ofsted Annex A list as .xlsx or .csv. Raises PeriodError for an unknown list, a
    window that ends in the future or a length other than 6 or 12 months."""
    annex_a_list(number)
    window = annex_a_window(end, months, today=today)
    if fmt not in FORMATS:
        from returns.periods import PeriodError

        raise PeriodError("The format must be xlsx or csv", "format")
    children, authority, scope = _children_for(user, authority)
    built = annex_a.build_list(number, children, window, progress=progress)
    content = (annex_a.to_xlsx(built, progress=progress) if fmt == "xlsx"
               else annex_a.to_csv(built, progress=progress))
    filename = f"annex-a-list-{number}-{window.start:%Y%m%d}-{window.end:%Y%m%d}.{fmt}"
    content_type = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                    if fmt == "xlsx" else "text/csv; charset=utf-8")
    return Built(content, filename, content_type, built.child_ids, ReturnKind.ANNEX_A,
                 {"list": number, "start": window.start.isoformat(),
                  "end": window.end.isoformat(), "months": months, "format": fmt},
                 scope, authority)


def record_export(built: Built, *, user: User | None, request: HttpRequest | None = None,
                  command: str) -> ReturnExport:
    """Who exported what, when: a ReturnExport row and one access-log entry per child named
    (`command` is the access log's path when there is no request)."""
    return _audit(kind=built.kind, authority=built.authority, user=user,
                  child_ids=built.child_ids, filename=built.filename,
                  parameters=built.parameters, scope=built.scope, request=request,
                  command=command)


def _export(built: Built, *, user: User | None, request: HttpRequest | None,
            output: str | Path | None, command: str) -> Export:
    if output is not None:
        write_atomically(output, built.content)
    record = record_export(built, user=user, request=request, command=command)
    return Export(built.content, built.filename, built.content_type, built.child_ids, record)


def census_export(*, year: int, user: User | None = None, authority: Authority | None = None,
                  request: HttpRequest | None = None, today: dt.date | None = None,
                  output: str | Path | None = None) -> Export:
    """The census built, written to `output` (atomically) before it is recorded."""
    built = census_build(year=year, user=user, authority=authority, today=today)
    return _export(built, user=user, request=request, output=output,
                   command="manage.py cin_census")


def annex_a_export(*, number: int, end: dt.date, months: int, fmt: str,
                   user: User | None = None, authority: Authority | None = None,
                   request: HttpRequest | None = None, today: dt.date | None = None,
                   output: str | Path | None = None) -> Export:
    """The list built, written to `output` (atomically) before it is recorded."""
    built = annex_a_build(number=number, end=end, months=months, fmt=fmt, user=user,
                          authority=authority, today=today)
    return _export(built, user=user, request=request, output=output,
                   command="manage.py annex_a")


def write_atomically(path: str | Path, content: bytes) -> None:
    """Write to a temporary file beside the target, then rename: a failure leaves nothing
    half-written (and an earlier file untouched)."""
    target = Path(path)
    handle, temp = tempfile.mkstemp(dir=target.parent or ".", prefix=f".{target.name}.",
                                    suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
