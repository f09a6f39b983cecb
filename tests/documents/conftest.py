from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.documents.s3 import S3Server, s3_server


@pytest.fixture(scope="session")
def s3() -> Iterator[S3Server]:
    """moto's S3 server on a free port, for the whole run."""
    with s3_server() as server:
        yield server
