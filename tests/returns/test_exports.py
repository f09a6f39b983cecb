"""Exports as background jobs (issue 16 points 5 and 7): starting one from the page and the
API, the job page and its status, progress written as the builders report it, who exported
and downloaded what, expiry, who may, and bad input refused naming the field. The task's
body runs here in the test; tests/returns/test_exports_worker.py runs it in a real Celery
worker."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
import time_machine
from django.core.files.storage import default_storage
from django.utils import timezone
from openpyxl import load_workbook

from cpcases.audit.models import AccessAction, AccessEvent
from cpcases.children.models import Child
from returns import census
from returns.exports import kinds, services
from returns.exports.models import ExportJob, JobStatus
from returns.models import ReturnExport
from returns.periods import census_period
from tests.api_problems import field_errors

pytestmark = pytest.mark.django_db


def _start(client, path: str, data: dict[str, str]) -> ExportJob:
    response = client.post(path, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    job = ExportJob.objects.get()
    assert response["Location"] == f"/returns/exports/{job.pk}/"
    return job


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


# --- starting, the job page and its status ----------------------------------------------


def test_officer_starts_the_census_and_lands_on_the_job_page_waiting_to_start(
        client, pdo, demo) -> None:
    client.force_login(pdo)
    job = _start(client, "/returns/cin-census/", {"year": "2026"})
    assert (job.kind, job.parameters, job.user, job.status) == (
        "cin_census", {"year": 2026}, pdo, JobStatus.QUEUED)
    page = client.get(f"/returns/exports/{job.pk}/").content.decode()
    assert "Children in Need census 2025-26" in page
    assert '<progress class="app-export__progress" id="export-progress" max="100" value="0"' \
           in page
    assert 'aria-live="polite"' in page
    assert "Waiting to start." in page
    assert "refresh this page" in page  # without JavaScript
    assert 'src="/static/js/export-progress.js"' in page
    assert not ReturnExport.objects.exists()  # nothing exported until it is built


def test_the_job_runs_and_the_page_offers_the_download(client, pdo, demo) -> None:
    client.force_login(pdo)
    job = _start(client, "/returns/cin-census/", {"year": "2026"})
    services.export_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert (job.done, job.total, job.percent, job.children_count) == (4, 4, 100, 4)
    assert job.expires_at == job.finished_at + dt.timedelta(days=7)
    status = client.get(f"/returns/exports/{job.pk}/status/").json()
    assert status["status"] == "done"
    assert status["percent"] == 100
    assert status["download_url"] == f"/returns/exports/{job.pk}/download/"
    assert status["text"] == "Ready to download: cin-census-2026.xml, naming 4 children."
    # The page open since the start shows when the file goes, not "7 days after it finishes".
    kept = timezone.localtime(job.expires_at)
    assert status["kept_until"] == f"{kept:%-d %B %Y %H:%M}"
    page = client.get(f"/returns/exports/{job.pk}/").content.decode()
    assert 'value="100"' in page
    assert "Download <span data-export-filename>cin-census-2026.xml" \
        in page
    response = client.get(f"/returns/exports/{job.pk}/download/")
    assert response["Content-Disposition"] == 'attachment; filename="cin-census-2026.xml"'
    assert _body(response).count(b"<Child>") == 4


def test_annex_a_list_as_csv_through_a_job(client, pdo, demo) -> None:
    client.force_login(pdo)
    job = _start(client, "/returns/annex-a/", {
        "list_number": "7", "end_0": "31", "end_1": "3", "end_2": "2026", "months": "12",
        "file_format": "csv"})
    assert job.parameters == {"list": 7, "end": "2026-03-31", "months": 12, "format": "csv"}
    services.export_run(job_id=job.pk)
    job.refresh_from_db()
    assert (job.status, job.filename, job.done, job.total) == (
        JobStatus.DONE, "annex-a-list-7-20250401-20260331.csv", 2, 2)  # two plans: rows
    content = _body(client.get(f"/returns/exports/{job.pk}/download/"))
    assert content.decode("utf-8-sig").count("\r\n") == 3


def test_the_list_of_your_exports_shows_your_own_only(client, pdo, sm, demo) -> None:
    services.export_start(user=sm, kind="cin_census", parameters={"year": 2026})
    client.force_login(pdo)
    services.export_start(user=pdo, kind="annex_a", parameters={
        "list": 5, "end": "2026-03-31", "months": 6, "format": "xlsx"})
    page = client.get("/returns/exports/").content.decode()
    assert "Ofsted Annex A List 5" in page
    assert "Children in Need census" not in page


# --- progress ----------------------------------------------------------------------------


def test_the_census_builder_reports_each_chunk_of_children(org, demo) -> None:
    seen: list[tuple[int, int]] = []
    built = census.build_census(Child.objects.all(), census_period(2026),
                                progress=lambda done, total: seen.append((done, total)),
                                chunk=1)
    assert seen == [(0, 4), (1, 4), (2, 4), (3, 4), (4, 4)]
    # Chunking changes nothing in the return itself.
    whole = census.build_census(Child.objects.all(), census_period(2026))
    assert census.to_xml(built, now=dt.datetime(2026, 12, 3, 10)) == census.to_xml(
        whole, now=dt.datetime(2026, 12, 3, 10))


def test_progress_is_written_to_the_job_at_most_every_interval_and_always_at_the_end(
        pdo, demo) -> None:
    job = services.export_start(user=pdo, kind="cin_census", parameters={"year": 2026})
    ExportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)
    throttled = services._Progress(job.pk, every=3600)

    def now() -> tuple[int, int]:
        return tuple(ExportJob.objects.values_list("done", "total").get(pk=job.pk))

    throttled(0, 400)
    assert now() == (0, 400)
    throttled(100, 400)
    throttled(200, 400)
    assert now() == (0, 400)  # within the interval: not written
    throttled(400, 400)
    assert now() == (400, 400)  # the last is always written
    eager = services._Progress(job.pk, every=0)
    eager(250, 400)
    assert now() == (250, 400)


# --- audit -------------------------------------------------------------------------------


def test_who_exported_and_who_downloaded_what_is_in_the_access_log(client, pdo, demo
                                                                   ) -> None:
    client.force_login(pdo)
    job = _start(client, "/returns/cin-census/", {"year": "2026"})
    started = AccessEvent.objects.get(section="return-export-start")
    assert (started.user, started.detail["job"], started.detail["parameters"]) == (
        pdo, job.pk, {"year": 2026})
    services.export_run(job_id=job.pk)
    job.refresh_from_db()
    record = ReturnExport.objects.get()
    assert job.record == record
    assert record.user == pdo
    assert record.children_count == 4
    exported = AccessEvent.objects.filter(action=AccessAction.EXPORT, detail__export=record.pk)
    assert exported.count() == 4
    assert set(exported.values_list("path", flat=True)) == {f"export job {job.pk}"}
    client.get(f"/returns/exports/{job.pk}/download/")
    client.get(f"/returns/exports/{job.pk}/download/")
    downloads = AccessEvent.objects.filter(section="return-export-download")
    assert downloads.count() == 8  # each download names the four children again
    assert set(downloads.values_list("child_id", flat=True)) == set(
        exported.values_list("child_id", flat=True))
    assert {d.user for d in downloads} == {pdo}
    assert downloads.first().path == f"/returns/exports/{job.pk}/download/"


def test_a_download_finds_the_exports_children_by_its_index_not_the_whole_trail(
        client, pdo, demo) -> None:
    """The download logs the children the export named, found among the access log's rows
    by the export they name: the partial index audit_access_export answers that lookup, so
    a download does not read every access ever logged (a large authority's trail is
    millions of rows)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(pdo)
    job = _start(client, "/returns/cin-census/", {"year": "2026"})
    services.export_run(job_id=job.pk)
    job.refresh_from_db()
    with CaptureQueriesContext(connection) as captured:
        services.export_download(job=job, user=pdo)
    lookup = next(q["sql"] for q in captured.captured_queries
                  if q["sql"].startswith("SELECT") and "audit_accessevent" in q["sql"])
    with connection.cursor() as cursor:
        # The test's trail is a few rows: a sequential scan would be cheaper there; with it
        # off the plan shows whether the index can answer the download's own statement.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {lookup}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "audit_access_export" in plan, plan


# --- expiry ------------------------------------------------------------------------------


def test_files_expire_after_the_set_days_and_an_expired_download_says_so(
        client, pdo, demo, settings) -> None:
    settings.RETURNS_EXPORT_EXPIRY_DAYS = 3
    client.force_login(pdo)
    job = services.export_start(user=pdo, kind="cin_census", parameters={"year": 2026})
    services.export_run(job_id=job.pk)
    job.refresh_from_db()
    name = job.file.name
    assert default_storage.exists(name)
    with time_machine.travel(dt.datetime(2026, 12, 6, 9, 59, tzinfo=dt.UTC), tick=False):
        assert services.exports_expire() == 0  # not yet three days
    with time_machine.travel(dt.datetime(2026, 12, 6, 10, 1, tzinfo=dt.UTC), tick=False):
        assert services.exports_expire() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.EXPIRED
    assert not job.file
    assert not default_storage.exists(name)
    response = client.get(f"/returns/exports/{job.pk}/download/")
    assert response.status_code == 410
    assert "This export expired on 6 December 2026 and its file has been deleted. Start a " \
           "new export." in response.content.decode()
    api = client.get(f"/api/v1/return-exports/{job.pk}/download/")
    assert api.status_code == 410
    assert "expired" in api.json()["detail"]


def test_the_hourly_sweep_is_scheduled(settings) -> None:
    from cpcases.beat import RETURN_EXPORTS_EXPIRY

    entry = settings.CELERY_BEAT_SCHEDULE[RETURN_EXPORTS_EXPIRY]
    assert (entry["task"], entry["schedule"]) == ("returns.expire_exports", 3600.0)


def test_a_job_whose_worker_died_is_failed_by_the_sweep_and_says_so(pdo, demo) -> None:
    job = services.export_start(user=pdo, kind="cin_census", parameters={"year": 2026})
    ExportJob.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, started_at=dt.datetime(2026, 12, 3, 7, tzinfo=dt.UTC))
    services.exports_expire()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert "stopped before it finished" in job.error


# --- who may -----------------------------------------------------------------------------


def test_a_social_worker_may_not_start_or_see_exports(client, sw, pdo, demo) -> None:
    job = services.export_start(user=pdo, kind="cin_census", parameters={"year": 2026})
    client.force_login(sw)
    assert client.post("/returns/cin-census/", {"year": "2026"}).status_code == 403
    for path in ("/returns/exports/", f"/returns/exports/{job.pk}/",
                 f"/returns/exports/{job.pk}/status/", f"/returns/exports/{job.pk}/download/"):
        assert client.get(path).status_code == 403, path
    api = client.post("/api/v1/return-exports/", {"kind": "cin_census", "year": 2026},
                      content_type="application/json")
    assert api.status_code == 403
    assert client.get("/api/v1/return-exports/").status_code == 403
    assert ExportJob.objects.count() == 1


def test_a_manager_starts_for_their_own_service_and_cannot_open_anothers_job(
        client, sm, pdo, demo) -> None:
    theirs = services.export_start(user=pdo, kind="cin_census", parameters={"year": 2026})
    client.force_login(sm)
    mine = services.export_start(user=sm, kind="cin_census", parameters={"year": 2026})
    services.export_run(job_id=mine.pk)
    assert client.get(f"/returns/exports/{mine.pk}/download/").status_code == 200
    for path in (f"/returns/exports/{theirs.pk}/", f"/returns/exports/{theirs.pk}/download/",
                 f"/api/v1/return-exports/{theirs.pk}/"):
        assert client.get(path).status_code == 404, path


def test_a_manager_who_lost_the_role_before_it_ran_gets_a_failed_job_saying_why(
        sm, demo) -> None:
    from cpcases.accounts.roles import Role

    job = services.export_start(user=sm, kind="cin_census", parameters={"year": 2026})
    type(sm).objects.filter(pk=sm.pk).update(role=Role.SOCIAL_WORKER)
    services.export_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error == ("Only the performance and data officer and managers may export the "
                         "statutory returns")
    assert not job.file
    assert not ReturnExport.objects.exists()


# --- the API -----------------------------------------------------------------------------


def test_api_starts_an_export_with_202_and_a_status_url_then_downloads_it(
        client, pdo, demo) -> None:
    client.force_login(pdo)
    response = client.post("/api/v1/return-exports/", {"kind": "annex_a", "list": 5,
                                                       "end": "2026-03-31", "months": 12},
                           content_type="application/json")
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued"
    assert body["percent"] == 0
    assert body["status_url"] == f"http://testserver/api/v1/return-exports/{body['id']}/"
    assert response["Location"] == body["status_url"]
    assert body["parameters"] == {"list": 5, "end": "2026-03-31", "months": 12,
                                  "format": "xlsx"}
    early = client.get(f"/api/v1/return-exports/{body['id']}/download/")
    assert early.status_code == 409
    assert early.json()["detail"] == "The export has not finished yet"
    services.export_run(job_id=body["id"])
    one = client.get(f"/api/v1/return-exports/{body['id']}/").json()
    assert (one["status"], one["done"], one["total"], one["percent"]) == ("done", 2, 2, 100)
    assert one["download_url"].endswith(f"/api/v1/return-exports/{body['id']}/download/")
    download = client.get(f"/api/v1/return-exports/{body['id']}/download/")
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(_body(download))).active
    assert sheet.max_row == 3  # the header and two enquiries


def test_api_lists_only_your_own_jobs_paged(client, pdo, sm, demo) -> None:
    services.export_start(user=sm, kind="cin_census", parameters={"year": 2026})
    for _ in range(3):
        services.export_start(user=pdo, kind="cin_census", parameters={"year": 2025})
    client.force_login(pdo)
    body = client.get("/api/v1/return-exports/").json()
    assert body["count"] == 3
    assert {r["kind"] for r in body["results"]} == {"cin_census"}
    assert all(r["parameters"] == {"year": 2025} for r in body["results"])


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"kind": "cin_census", "year": 2027}, "year",
     "The 2026-27 census period ends on 31 March 2027, which is in the future"),
    ({"kind": "cin_census", "year": 2024}, "year",
     "Census year 2024 is not supported: choose 2025 or 2026"),
    ({"kind": "cin_census"}, "year", "Enter the census year"),
    ({"kind": "annex_a", "list": 2}, "list",
     "List 2 is not available: choose list 1, 3, 4, 5, 6 or 7"),
    ({"kind": "annex_a", "list": 5, "end": "2027-01-31"}, "end",
     "The end of the period must be today or in the past"),
    ({"kind": "annex_a", "list": 5, "months": 9}, "months",
     "The period must be 6 or 12 months"),
    ({"kind": "annex_a", "list": 5, "format": "pdf"}, "format",
     "The format must be xlsx or csv"),
    ({"kind": "census"}, "kind", "Export kind 'census' is not known: choose annex_a, "
                                 "cin_census, dfe_payload"),
])
def test_api_refuses_bad_input_naming_the_field_and_starts_nothing(
        client, pdo, demo, data, field, message) -> None:
    client.force_login(pdo)
    response = client.post("/api/v1/return-exports/", data, content_type="application/json")
    assert field_errors(response) == {field: [message]}
    assert not ExportJob.objects.exists()


def test_the_page_refuses_a_period_in_the_future_naming_the_field(client, pdo, demo) -> None:
    client.force_login(pdo)
    response = client.post("/returns/annex-a/", {
        "list_number": "5", "end_0": "1", "end_1": "1", "end_2": "2027", "months": "12",
        "file_format": "xlsx"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "must be today or in the past" in page
    assert 'href="#id_end' in page
    assert not ExportJob.objects.exists()


# --- a failed export says why and keeps nothing -------------------------------------------


@pytest.fixture
def breaking_kind():
    """A kind that fails half-way, after reporting progress (registered as any other)."""

    def build(user, params, progress):
        progress(0, 10)
        progress(5, 10)
        raise RuntimeError("the database went away")

    kind = kinds.register(kinds.ExportKind(
        "breaks", "Breaks half-way", lambda params, today: {}, build, lambda p: "Breaks"))
    yield kind
    del kinds.REGISTRY["breaks"]


def test_an_export_that_fails_half_way_says_why_and_keeps_nothing(
        client, pdo, demo, breaking_kind) -> None:
    client.force_login(pdo)
    job = services.export_start(user=pdo, kind="breaks", parameters={})
    services.export_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert not job.file
    assert job.error.startswith(f"Something went wrong while building the file (job {job.pk})")
    assert not ReturnExport.objects.exists()
    assert not AccessEvent.objects.filter(section="cin_census").exists()
    page = client.get(f"/returns/exports/{job.pk}/").content.decode()
    assert "The export failed. Something went wrong while building the file" in page
    assert "No file was kept." in page
    assert client.get(f"/api/v1/return-exports/{job.pk}/download/").status_code == 409


def test_an_export_whose_file_cannot_be_stored_says_why_and_records_nothing(
        pdo, demo, settings, tmp_path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the store's folder should be")
    settings.MEDIA_ROOT = blocker / "media"
    job = services.export_start(user=pdo, kind="cin_census", parameters={"year": 2026})
    services.export_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.error.startswith("The file could not be stored")
    assert "Nothing was kept" in job.error
    assert not ReturnExport.objects.exists()
    assert not AccessEvent.objects.filter(action=AccessAction.EXPORT, child_id__isnull=False
                                          ).exists()
    assert [p for p in Path(tmp_path).rglob("*") if p.is_file()] == [blocker]


def test_a_job_already_taken_is_not_run_twice(pdo, demo) -> None:
    job = services.export_start(user=pdo, kind="cin_census", parameters={"year": 2026})
    services.export_run(job_id=job.pk)
    assert services.export_run(job_id=job.pk) is None
    assert ReturnExport.objects.count() == 1


def test_status_endpoint_answers_json_without_caching(client, pdo, demo) -> None:
    client.force_login(pdo)
    job = services.export_start(user=pdo, kind="cin_census", parameters={"year": 2026})
    response = client.get(f"/returns/exports/{job.pk}/status/")
    assert "no-store" in response["Cache-Control"]
    assert json.loads(response.content)["text"] == "Waiting to start."


def test_another_kind_is_one_register_call(pdo, demo) -> None:
    assert set(kinds.REGISTRY) >= {"cin_census", "annex_a"}
    with pytest.raises(ValueError, match="already registered"):
        kinds.register(kinds.REGISTRY["cin_census"])


def test_the_dfe_payload_runs_as_a_background_export_too(pdo, demo) -> None:
    job = services.export_start(user=pdo, kind="dfe_payload", parameters={"mode": "full"})
    services.export_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.filename.startswith("dfe-api-full-")
    assert job.filename.endswith(".json")
    with default_storage.open(job.file.name) as stored:
        records = json.loads(stored.read())
    assert len(records) == job.total > 0


def test_an_unknown_dfe_payload_mode_is_refused_naming_the_field(pdo) -> None:
    from returns.periods import PeriodError

    with pytest.raises(PeriodError) as refused:
        services.export_start(user=pdo, kind="dfe_payload", parameters={"mode": "some"})
    assert refused.value.field == "mode"


def test_sending_the_form_again_while_the_file_is_being_made_goes_to_the_same_export(
        client, pdo, demo) -> None:
    # Back after starting, then "Start the export" again: one job, and the page says so.
    client.force_login(pdo)
    job = _start(client, "/returns/cin-census/", {"year": "2026"})
    again = client.post("/returns/cin-census/", {"year": "2026"}, follow=True)
    assert ExportJob.objects.count() == 1
    assert again.redirect_chain[-1][0] == f"/returns/exports/{job.pk}/"
    assert "You had already started this export" in again.content.decode()
    client.post("/returns/cin-census/", {"year": "2025"})  # another year is another file
    assert ExportJob.objects.count() == 2


def test_once_the_file_is_made_starting_the_same_export_makes_a_fresh_one(
        client, pdo, demo) -> None:
    client.force_login(pdo)
    job = _start(client, "/returns/cin-census/", {"year": "2026"})
    ExportJob.objects.filter(pk=job.pk).update(status=JobStatus.DONE)
    client.post("/returns/cin-census/", {"year": "2026"})
    assert ExportJob.objects.count() == 2
