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


def census_export(*, year: int, user: User | None = None, authority: Authority | None = None,
                  request: HttpRequest | None = None, today: dt.date | None = None,
                  output: str | Path | None = None) -> Export:
    """The CIN census XML for the user's children (or, from the command line, the
    authority's), written to `output` (atomically) before it is recorded. Raises
    PeriodError for a year not supported or not ended."""
    period = census_period(year, today=today)
    children, authority, scope = _children_for(user, authority)
    built = census.build_census(children, period)
    content = census.to_xml(built)
    filename = f"cin-census-{period.year}.xml"
    ids = list(census.child_ids(built))
    if output is not None:
        write_atomically(output, content)
    record = _audit(kind=ReturnKind.CIN_CENSUS, authority=authority, user=user, child_ids=ids,
                    filename=filename, parameters={"year": year}, scope=scope,
                    request=request, command="manage.py cin_census")
    return Export(content, filename, "application/xml", ids, record)


def annex_a_export(*, number: int, end: dt.date, months: int, fmt: str,
                   user: User | None = None, authority: Authority | None = None,
                   request: HttpRequest | None = None, today: dt.date | None = None,
                   output: str | Path | None = None) -> Export:
    """An Ofsted Annex A list as .xlsx or .csv. Raises PeriodError for an unknown list, a
    window that ends in the future or a length other than 6 or 12 months."""
    annex_a_list(number)
    window = annex_a_window(end, months, today=today)
    if fmt not in FORMATS:
        from returns.periods import PeriodError

        raise PeriodError("The format must be xlsx or csv", "format")
    children, authority, scope = _children_for(user, authority)
    built = annex_a.build_list(number, children, window)
    content = annex_a.to_xlsx(built) if fmt == "xlsx" else annex_a.to_csv(built)
    filename = f"annex-a-list-{number}-{window.start:%Y%m%d}-{window.end:%Y%m%d}.{fmt}"
    content_type = ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                    if fmt == "xlsx" else "text/csv; charset=utf-8")
    if output is not None:
        write_atomically(output, content)
    record = _audit(kind=ReturnKind.ANNEX_A, authority=authority, user=user,
                    child_ids=built.child_ids, filename=filename,
                    parameters={"list": number, "start": window.start.isoformat(),
                                "end": window.end.isoformat(), "months": months,
                                "format": fmt},
                    scope=scope, request=request, command="manage.py annex_a")
    return Export(content, filename, content_type, built.child_ids, record)


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
