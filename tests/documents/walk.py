"""Objects the permission walk's document routes name, built for the walk's child."""

from __future__ import annotations

import pytest

from cpcases.children.models import Child


def walk_issued_document(request: pytest.FixtureRequest, child: Child) -> int:
    from cpcases.documents.services import document_keep_issued

    return document_keep_issued(
        kind="conference letter", title="Decision letter", filename="walk-letter.pdf",
        content=b"%PDF-1.4\n% the walk's letter\n%%EOF\n", issued_to="Parent One",
        user=request.getfixturevalue("sw"), child_ids=[child.pk]).pk


WALK_PLACEHOLDERS = {"issued_document": walk_issued_document}
