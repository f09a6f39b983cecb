"""Export jobs run by a real Celery worker through real Redis (issue 16 point 5): started
from the page, the job is queued when the transaction commits, the worker builds the file
with the job's progress advancing, and the download follows. Real time (no frozen clock:
the worker's own timers need it); today's date is after the 2025-26 census period."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator

import pytest
from celery.contrib.testing.worker import start_worker

from cpcases.celery import app
from returns import census
from returns.exports import kinds
from returns.exports.models import ExportJob, JobStatus
from returns.models import ReturnExport

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _today() -> None:
    """Overrides the returns' frozen clock: a worker needs real time."""


@pytest.fixture
def export_queue(settings) -> str:
    import returns.exports.tasks  # noqa: F401  (registers the task with the app)

    queue = f"exports-test-{uuid.uuid4().hex[:8]}"
    settings.RETURNS_EXPORT_QUEUE = queue
    settings.RETURNS_EXPORT_PROGRESS_SECONDS = 0
    assert app.conf.broker_url.startswith("redis://")
    return queue


def _watch(job_id: int, until: Callable[[ExportJob], bool], timeout: float = 60.0
           ) -> list[tuple[str, int, int]]:
    """Every (status, done, total) the job showed, polled as the job page does."""
    seen: list[tuple[str, int, int]] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = ExportJob.objects.get(pk=job_id)
        state = (job.status, job.done, job.total)
        if not seen or seen[-1] != state:
            seen.append(state)
        if until(job):
            return seen
        time.sleep(0.02)
    raise AssertionError(f"the worker did not finish the export: {seen}")


def test_the_census_started_from_the_page_is_built_by_a_worker_then_downloaded(
        client, pdo, demo, export_queue, monkeypatch) -> None:
    monkeypatch.setattr(census, "CHUNK", 1)  # a progress report per child
    client.force_login(pdo)
    response = client.post("/returns/cin-census/", {"year": "2026"})
    assert response.status_code == 302
    job = ExportJob.objects.get()
    assert job.status == JobStatus.QUEUED  # queued on commit, waiting for a worker
    with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False,
                      queues=[export_queue], shutdown_timeout=30):
        seen = _watch(job.pk, lambda j: j.finished)
    # (the worker may take it before the first look: queued is asserted above)
    assert seen[0][0] in ("queued", "running")
    assert [done for _, done, _ in seen] == sorted(done for _, done, _ in seen)
    assert seen[-1] == ("done", 4, 4)
    job.refresh_from_db()
    assert job.children_count == 4
    assert ReturnExport.objects.get().user == pdo
    download = client.get(f"/returns/exports/{job.pk}/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content).count(b"<Child>") == 4


@pytest.fixture
def slow_kind() -> Iterator[kinds.ExportKind]:
    """A kind that takes a while, reporting each of its ten steps (one register call)."""
    from returns import services as return_services

    def build(user, params, progress):
        for step in range(10):
            progress(step, 10)
            time.sleep(0.15)
        progress(10, 10)
        built = return_services.census_build(year=2026, user=user)
        return built

    kind = kinds.register(kinds.ExportKind("slow", "Slow census", lambda p, today: {},
                                           build, lambda p: "A slow census"))
    yield kind
    del kinds.REGISTRY["slow"]


def test_the_progress_advances_step_by_step_while_the_worker_builds(
        pdo, demo, export_queue, slow_kind) -> None:
    from returns.exports.services import export_start

    job = export_start(user=pdo, kind="slow", parameters={})
    with start_worker(app, pool="solo", concurrency=1, perform_ping_check=False,
                      queues=[export_queue], shutdown_timeout=30):
        seen = _watch(job.pk, lambda j: j.finished)
    running = [done for status, done, total in seen if status == "running" and total == 10]
    assert len(running) >= 3, seen  # seen advancing, not only started and finished
    assert running == sorted(running)
    assert seen[-1][0] == "done"
