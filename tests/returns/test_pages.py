"""The returns pages: who may run them, downloads recorded with the children named, form
errors naming their field, and the readiness list linking to the page that fixes each
problem."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import pytest
from openpyxl import load_workbook

from cpcases.audit.models import AccessAction, AccessEvent
from cpcases.children.models import Allocation, Child
from returns.exports.models import ExportJob
from returns.exports.services import export_run
from returns.models import ReturnExport

pytestmark = pytest.mark.django_db


@dataclass
class Downloaded:
    headers: dict[str, str]
    content: bytes

    def __getitem__(self, name: str) -> str:
        return self.headers[name]


def _export(client, path: str, data: dict[str, str]) -> Downloaded:
    """Start the export from the page, run its job (the task's body, here in the test), and
    download the file from the job page's link."""
    started = client.post(path, data)
    assert started.status_code == 302, started.content.decode()[:2000]
    job_id = int(started["Location"].rstrip("/").rsplit("/", 1)[1])
    export_run(job_id=job_id)
    response = client.get(f"/returns/exports/{job_id}/download/")
    assert response.status_code == 200
    return Downloaded(dict(response.headers), b"".join(response.streaming_content))


def test_social_worker_cannot_run_the_returns(client, sw, demo) -> None:
    client.force_login(sw)
    assert client.get("/returns/").status_code == 403
    assert client.post("/returns/cin-census/", {"year": "2026"}).status_code == 403
    assert not ReturnExport.objects.exists()
    assert not ExportJob.objects.exists()  # no job started


def test_officer_downloads_the_census_for_the_whole_authority(client, pdo, demo) -> None:
    client.force_login(pdo)
    response = _export(client, "/returns/cin-census/", {"year": "2026"})
    assert response["Content-Disposition"] == 'attachment; filename="cin-census-2026.xml"'
    assert response.content.count(b"<Child>") == 4
    record = ReturnExport.objects.get()
    assert record.user == pdo
    assert AccessEvent.objects.filter(user=pdo, action=AccessAction.EXPORT,
                                      detail__export=record.pk).count() == 4
    page = client.get("/returns/").content.decode()
    assert "cin-census-2026.xml" in page


def test_manager_sees_only_their_own_services_children(client, sm, org, demo) -> None:
    from tests.factories import ServiceFactory, TeamFactory

    elsewhere = TeamFactory(service=ServiceFactory(authority=org.authority, name="Other"))
    Allocation.objects.filter(child__la_child_id="RET2504").update(team=elsewhere)
    client.force_login(sm)
    response = _export(client, "/returns/cin-census/", {"year": "2026"})
    assert response.content.count(b"<Child>") == 3
    assert b"RET2504" not in response.content


@pytest.mark.parametrize(("year", "message"), [
    ("2027", "The 2026-27 census period ends on 31 March 2027, which is in the future"),
    ("2024", "Census year 2024 is not supported: choose 2025 or 2026"),
])
def test_census_year_refused_with_the_reason_beside_the_field(client, pdo, demo, year,
                                                              message) -> None:
    client.force_login(pdo)
    response = client.post("/returns/cin-census/", {"year": year})
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page
    assert 'href="#id_year"' in page  # the summary link lands on the field
    assert f'value="{year}"' in page  # what was typed is kept
    assert not ReturnExport.objects.exists()
    assert not ExportJob.objects.exists()  # no job started


def test_annex_a_from_the_page_as_a_spreadsheet(client, pdo, demo) -> None:
    client.force_login(pdo)
    response = _export(client, "/returns/annex-a/", {
        "list_number": "7", "end_0": "31", "end_1": "3", "end_2": "2026", "months": "12",
        "file_format": "xlsx"})
    assert "annex-a-list-7-20250401-20260331.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 3  # the header and two plans


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"list_number": "2"}, "list_number", "Choose list 1, 3, 4, 5, 6 or 7"),
    ({"end_0": "1", "end_1": "1", "end_2": "2027"}, "end",
     "The last day of the period must be today or in the past"),
    ({"months": "9"}, "months", "The period must be 6 or 12 months"),
])
def test_annex_a_bad_input_names_its_field(client, pdo, demo, data, field, message) -> None:
    client.force_login(pdo)
    form = {"list_number": "5", "end_0": "31", "end_1": "3", "end_2": "2026", "months": "12",
            "file_format": "csv", **data}
    response = client.post("/returns/annex-a/", form)
    page = response.content.decode()
    assert message in page
    assert f'href="#id_{field}' in page
    assert not ReturnExport.objects.exists()
    assert not ExportJob.objects.exists()  # no job started


def test_readiness_lists_the_child_with_the_rule_and_the_page_that_fixes_it(
        client, pdo, demo) -> None:
    from cpcases.plans.models import ChildProtectionPlan

    plan = ChildProtectionPlan.objects.get(child__la_child_id="RET2501")
    ChildProtectionPlan.objects.filter(pk=plan.pk).update(started_on=dt.date(2025, 5, 30))
    client.force_login(pdo)
    client.post("/returns/readiness/refresh/", {"year": "2026"})  # stored, then read
    page = client.get("/returns/readiness/?year=2026").content.decode()
    assert "does not start on the day of an initial conference" in page
    assert "Census rule 2885" in page
    assert f'href="/plans/{plan.pk}/"' in page
    assert "Freya Lane" in page
    child = Child.objects.get(la_child_id="RET2501")
    assert AccessEvent.objects.filter(user=pdo, child_id=child.pk,
                                      section="returns-readiness").exists()


def test_readiness_of_the_demo_is_clean(client, pdo, demo) -> None:
    client.force_login(pdo)
    client.post("/returns/readiness/refresh/", {"year": "2026"})
    page = client.get("/returns/readiness/").content.decode()
    assert "No problems found: the census is ready to send." in page


def test_readiness_hides_the_name_of_a_restricted_child(client, pdo, demo) -> None:
    Child.objects.filter(la_child_id="RET2503").update(is_restricted=True, sex="X")
    client.force_login(pdo)
    client.post("/returns/readiness/refresh/", {"year": "2026"})
    page = client.get("/returns/readiness/?year=2026").content.decode()
    assert "Restricted record" in page
    assert "Poppy" not in page


def test_case_holder_sees_the_census_problems_of_the_year_so_far(client, sw, child) -> None:
    """Recorded today: an S47 enquiry started seven weeks ago with no conference and no
    decision that none is needed, in a referral with no assessment."""
    from frontdoor.models import Referral
    from strategy.models import DiscussionFormat, Section47Enquiry, StrategyDiscussion, Urgency

    Referral.objects.create(authority=child.authority, child=child,
                            referral_date=dt.date(2026, 10, 1), source="6", primary_need="N1")
    talk = StrategyDiscussion.objects.create(
        authority=child.authority, concern_identified_at=dt.datetime(2026, 10, 12, 9,
                                                                     tzinfo=dt.UTC),
        urgency=Urgency.CP_CONCERNS, format=DiscussionFormat.MEETING,
        held_at=dt.datetime(2026, 10, 12, 14, tzinfo=dt.UTC), information_shared="x")
    Section47Enquiry.objects.create(child=child, initiated_by=talk,
                                    started_on=dt.date(2026, 10, 12))
    client.force_login(sw)
    page = client.get(f"/returns/child/{child.pk}/").content.decode()
    assert "Census rule 8675" in page
    assert "Census rule 2991" in page
    assert f'href="/strategy/child/{child.pk}/"' in page


def test_a_record_with_nothing_to_correct_says_so(client, sw, child) -> None:
    from frontdoor.models import Referral

    child.upn_unknown_reason = "UN5"  # rule 8770 (a child of school age)
    child.save()
    Referral.objects.create(authority=child.authority, child=child,
                            referral_date=dt.date(2026, 10, 1), source="6", primary_need="N1")
    client.force_login(sw)
    page = client.get(f"/returns/child/{child.pk}/").content.decode()
    assert "Nothing to correct: this record would pass the census." in page


def test_officer_finds_the_returns_in_the_header(client, pdo, sw) -> None:
    client.force_login(pdo)
    assert 'href="/returns/"' in client.get("/returns/").content.decode()
    client.force_login(sw)
    assert 'href="/returns/"' not in client.get("/help/").content.decode()


def test_readiness_refuses_an_unsupported_year_beside_the_field(client, pdo, demo) -> None:
    client.force_login(pdo)
    page = client.get("/returns/readiness/?year=2019").content.decode()
    assert "Census year 2019 is not supported: choose 2025 or 2026" in page
    assert 'href="#id_year"' in page
    assert "No problems found" not in page


def test_the_returns_page_links_to_the_performance_figures(client, pdo) -> None:
    client.force_login(pdo)
    assert 'href="/performance/"' in client.get("/returns/").content.decode()


def test_a_social_worker_is_refused_in_whole_sentences(client, sw) -> None:
    client.force_login(sw)
    for path, said in (("/returns/", "may run the statutory returns. If you think"),
                       ("/performance/", "may see the performance figures. If you think")):
        response = client.get(path)
        assert response.status_code == 403
        assert said in response.content.decode()
