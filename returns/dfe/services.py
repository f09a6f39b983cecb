"""The DfE API payload as a file (a download or `dfe_payload`), recorded like every other
return: a ReturnExport row and one access-log entry per child named (issue 16 points 4-5)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.http import HttpRequest

from cpcases.accounts.models import Authority, User
from returns.dfe.models import DfeMode
from returns.dfe.payload import Payload, Progress, build_payload, parse_mode
from returns.models import ReturnKind
from returns.services import Export, _audit, _children_for, write_atomically


def payload_export(*, mode: str = DfeMode.FULL, user: User | None = None,
                   authority: Authority | None = None, request: HttpRequest | None = None,
                   today: dt.date | None = None, output: str | Path | None = None,
                   progress: Progress | None = None) -> Export:
    """The payload for the user's children (from the command line, the authority's), written
    atomically to `output` before it is recorded. Raises PayloadError for an unknown mode."""
    parse_mode(mode)
    children, authority, scope = _children_for(user, authority)
    payload = build_payload(children, mode=mode, today=today, progress=progress)
    content = payload.to_json()
    filename = f"dfe-api-{mode}-{payload.window.reference_date - dt.timedelta(days=1):%Y%m%d}.json"
    ids = [r.child_id for r in payload.records]
    if output is not None:
        write_atomically(output, content)
    record = _audit(kind=ReturnKind.DFE_PAYLOAD, authority=authority, user=user,
                    child_ids=ids, filename=filename,
                    parameters={"mode": mode, "start": payload.window.start.isoformat(),
                                "end": payload.window.reference_date.isoformat()},
                    scope=scope, request=request, command="manage.py dfe_payload")
    return Export(content, filename, "application/json", ids, record)


def payload_summary(*, user: User, today: dt.date | None = None) -> Payload:
    """What a send would carry for the user's children (counts full and changed)."""
    children, _, _ = _children_for(user, None)
    return build_payload(children, mode=DfeMode.CHANGED, today=today)
