"""Nothing lost, nothing made twice (issue 12 §3-4), over every page of the service.

The routes come from the URL resolver (the permission walk's `all_routes`), so a new page
must be sorted into one of three lists here or `test_every_page_route_is_sorted` fails:

- EDIT_FORMS: pages that change a record in place. The walk opens the form in two browsers,
  saves from one, then saves the stale copy from the other: the save is refused, what was
  typed is kept, the other person's change is named; saving again from there succeeds.
- WRITES: every other route that writes (create forms, one-off decisions, buttons). The walk
  sends each one a form that was already sent: it answers with the record the first
  submission made, and writes nothing.
- READS: routes that write nothing.

The paths and users are the permission walk's (ACCESS, placeholders in tests/<app>/walk.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client

from cpcases.core.idempotency import ALREADY_SAVED
from cpcases.core.models import FormToken
from tests.foundation.formdata import hidden_inputs, page_data
from tests.foundation.test_permission_walk import ACCESS, _placeholders, all_routes

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Edit:
    """field: the text field the walk types into; extra: anything else a save needs; path:
    instead of the permission walk's (a record in a state that may still be changed)."""

    field: str
    extra: dict[str, str] = field(default_factory=dict)
    path: str | None = None


EDIT_FORMS: dict[str, Edit] = {
    "children:edit": Edit("address"),
    "plans:action_edit": Edit("what"),
    "plans:revise": Edit("outcomes", {"reason": "The walk"}),
    "conferences:request_edit": Edit(
        "reason", path="/conferences/requests/{draft_conference_request}/edit/"),
    "conferences:invitation_edit": Edit("response_note"),
    "conference_outcomes:attendance_edit": Edit("role"),
    "conference_outcomes:record_edit": Edit("purpose"),
    "frontdoor:household": Edit("address", {"name": "Walk household"}),
    "frontdoor:child_person": Edit("phone"),
    "deadlines:policy_rule": Edit("source", {"reason": "The walk"}),
}

WRITES = {
    # life events: a view recorded, a record restricted or released
    "lifeevents:agency_view_record", "lifeevents:restrict", "lifeevents:unrestrict",
    # checking the census again now (issue 16)
    "returns:readiness_refresh",
    # create forms
    "children:create", "children:person_add", "children:allocate",
    "chronology:entry_new", "chronology:visit_new",
    "conference_outcomes:amendment", "conference_outcomes:attendance_add",
    "conference_outcomes:disparity_new", "conference_outcomes:decision",
    "conference_outcomes:scores",
    "conferences:exclusion_new", "conferences:invitation_add", "conferences:report_upload",
    "conferences:request_new", "deadlines:closure_days",
    "frontdoor:contact_new", "frontdoor:new_information",
    "lifeevents:challenge_new", "lifeevents:complaint_new", "lifeevents:death_new",
    "lifeevents:missing_new", "lifeevents:order_new", "lifeevents:transfer_new",
    "lifeevents:transfer_out_new",
    "plans:action_add", "plans:cin_action_add", "plans:cin_meeting_new", "plans:cin_start",
    "plans:meeting_new", "plans:member_add", "plans:start",
    "strategy:concern_new", "strategy:consultation_new", "strategy:discussion_new",
    "strategy:threshold_new",
    # the statutory returns start an export job (issue 16 point 5)
    "returns:annex_a", "returns:cin_census",
    # one-off decisions and buttons (each also refuses a second go by the record's state)
    "conference_outcomes:adjourn", "conference_outcomes:attendance_prefill",
    "conference_outcomes:bring_forward", "conference_outcomes:disparity_resolve",
    "conference_outcomes:distribute", "conference_outcomes:issue",
    "conference_outcomes:observer", "conference_outcomes:start",
    "conferences:delay_decide", "conferences:exclusion_decide",
    "conferences:invitation_remove", "conferences:invitations_complete",
    "conferences:invitations_prefill", "conferences:invitations_send",
    "conferences:report_countersign", "conferences:report_share",
    "conferences:request_agree", "conferences:request_approve", "conferences:request_book",
    "conferences:request_cancel", "conferences:request_delay", "conferences:request_return",
    "conferences:request_submit",
    "deadlines:authorise_delay", "deadlines:closure_day_remove",
    "deadlines:notification_read", "deadlines:notifications_read_all",
    "deadlines:notifications_read_selected", "deadlines:policy_profile",
    "deadlines:policy_rule_reset",
    "frontdoor:assessment", "frontdoor:break_glass", "frontdoor:contact", "frontdoor:merge",
    "frontdoor:referral",
    "lifeevents:challenge", "lifeevents:complaint", "lifeevents:death_notify",
    "lifeevents:death_review", "lifeevents:missing_found", "lifeevents:missing_interview",
    "lifeevents:order_concluded", "lifeevents:order_end", "lifeevents:plan_notify",
    "lifeevents:transfer_out_held",
    "plans:cin_end", "plans:end", "plans:lead_change", "plans:meeting_distributed",
    "strategy:consultation_assign", "strategy:consultation_held",
    "strategy:consultation_record", "strategy:s47_outcome", "strategy:threshold_iro",
}

READS = {
    # documents as sent, a plan's ending, the statutory returns (downloads from GET forms)
    "documents:child", "documents:download", "lifeevents:plan_ending",
    "returns:child", "returns:index", "returns:readiness", "returns:dfe",
    # export jobs: progress, status and the file (issue 16 point 5)
    "returns:exports:list", "returns:exports:job", "returns:exports:status",
    "returns:exports:download",
    "performance:figure", "performance:index",
    # signing in and out is not a record (and the one-time token is not used before sign-in)
    "accounts:login", "accounts:logout", "accounts:mfa_setup", "accounts:mfa_verify",
    "accounts:session_extend", "healthz", "help", "home",
    "children:allocation", "children:audit", "children:caseload", "children:detail",
    "children:people", "children:search",
    "chronology:child", "chronology:export", "chronology:print", "chronology:visits",
    "conference_outcomes:day", "conference_outcomes:day_list",
    "conference_outcomes:disparities", "conference_outcomes:document",
    "conference_outcomes:document_pdf", "conference_outcomes:non_attendance",
    "conference_outcomes:outputs",
    "conferences:approvals", "conferences:booking_queue", "conferences:calendar",
    "conferences:child", "conferences:conference", "conferences:conference_calendar",
    "conferences:delays", "conferences:exclusion_report", "conferences:my_requests",
    "conferences:report_download", "conferences:request_detail",
    "conferences:second_conferences",
    "deadlines:child", "deadlines:mine", "deadlines:notifications", "deadlines:policy",
    "deadlines:team",
    "frontdoor:child", "frontdoor:queue", "frontdoor:search",
    "lifeevents:challenge_summary", "lifeevents:child", "lifeevents:death",
    "lifeevents:letter", "lifeevents:missing_list", "lifeevents:transfers",
    "plans:child", "plans:cin_detail", "plans:detail", "plans:meeting_detail",
    "plans:stepdown_decisions", "plans:version",
    "strategy:chair_consultations", "strategy:child", "strategy:consultation_queue",
    "strategy:discussion_detail", "strategy:my_requests",
}

# Tables a resubmission may touch without making anything: the token itself, the session
# (the message), sign-in bookkeeping and the access log of the page it is sent to.
_BOOKKEEPING_TABLES = {"core_formtoken", "django_session", "audit_accessevent",
                       "axes_accessattempt", "axes_accesslog"}


def _page_routes() -> set[str]:
    return {name for name, route in all_routes().items() if not route.startswith("api/")}


def test_every_page_route_is_sorted() -> None:
    routes = _page_routes()
    sorted_ = set(EDIT_FORMS) | WRITES | READS
    assert not routes - sorted_, (
        f"Pages not sorted into EDIT_FORMS, WRITES or READS: {sorted(routes - sorted_)}")
    assert not sorted_ - routes, f"No longer routes: {sorted(sorted_ - routes)}"
    for one, other in ((set(EDIT_FORMS), WRITES), (WRITES, READS), (set(EDIT_FORMS), READS)):
        assert not one & other, f"Pages in two lists: {sorted(one & other)}"


def _path(name: str, request: pytest.FixtureRequest, child: Any, path: str | None = None
          ) -> str:
    from tests.factories import ChildPersonFactory

    path = path or ACCESS[name].path
    link = ChildPersonFactory(child=child, person__authority=child.authority)
    return path.format(child=child.pk, person=link.person_id,
                       **_placeholders(request, path, child))


def _browser(request: pytest.FixtureRequest, persona: str) -> Client:
    client = Client()
    client.force_login(request.getfixturevalue(persona))
    return client


def _writes_so_far() -> dict[str, tuple[int, int, int]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, n_tup_ins, n_tup_upd, n_tup_del "
                       "FROM pg_stat_xact_user_tables")
        return {name: (ins, upd, dele) for name, ins, upd, dele in cursor.fetchall()
                if name not in _BOOKKEEPING_TABLES and not name.endswith("event")}


# --- §4: a form sent twice makes one record -------------------------------------------------


@pytest.mark.parametrize("name", sorted(WRITES))
def test_a_form_sent_again_makes_nothing_new_and_shows_what_was_made(
        name: str, request: pytest.FixtureRequest, child, other_team_child) -> None:
    access = ACCESS[name]
    path = _path(name, request, child)
    browser = _browser(request, access.insider)
    user = request.getfixturevalue(access.insider)
    token = "walk-token"
    if access.method == "get" and access.ok == 200:
        page = browser.get(path)
        if b'method="post"' in page.content:
            token = hidden_inputs(page).get("form_token", "")
            assert token, f"{name}: the form carries no one-time token"
    # The first submission made a record and was sent to it.
    FormToken.objects.create(owner=f"user:{user.pk}", token=token, path=path,
                             result_url="/the-record-made/")
    before = _writes_so_far()
    again = browser.post(path, {"form_token": token, "what": "anything at all"})
    assert (again.status_code, again.get("Location")) == (302, "/the-record-made/"), name
    assert ALREADY_SAVED in [str(m) for m in get_messages(again.wsgi_request)]
    after = _writes_so_far()
    assert {k: v for k, v in after.items() if before.get(k) != v} == {}, (
        f"{name}: a resubmission wrote to the database")


def test_back_button_after_saving_a_visit_then_saving_again_makes_one_visit(
        client, tm, child) -> None:
    from cpcases.chronology.models import Visit

    client.force_login(tm)
    page = client.get(f"/chronology/child/{child.pk}/visits/new/")
    token = hidden_inputs(page)["form_token"]
    visit = {"form_token": token, "visit_date_0": "3", "visit_date_1": "12",
             "visit_date_2": "2026", "visit_time": "10:30", "visited_by": str(tm.pk),
             "location": "home", "access_refused": "no", "child_seen": "yes",
             "seen_alone": "yes", "bedroom_seen": "yes", "notes": "Seen at home, well."}
    first = client.post(f"/chronology/child/{child.pk}/visits/new/", visit)
    assert first.status_code == 302, first.context and first.context["form"].errors
    # Back to the form the browser kept, and "Save the visit" again.
    again = client.post(f"/chronology/child/{child.pk}/visits/new/", visit, follow=True)
    assert Visit.objects.filter(child=child).count() == 1
    assert again.redirect_chain[0][0] == first["Location"]
    page = again.content.decode()
    assert "nothing new was saved" in page
    assert "Seen at home, well." in page or "10:30" in page  # the visit already made


def test_a_form_shown_again_with_a_mistake_can_then_be_saved_with_the_same_token(
        client, tm, child) -> None:
    from cpcases.chronology.models import Visit

    client.force_login(tm)
    token = hidden_inputs(client.get(f"/chronology/child/{child.pk}/visits/new/"))["form_token"]
    mistake = client.post(f"/chronology/child/{child.pk}/visits/new/", {"form_token": token})
    assert mistake.status_code == 200
    assert hidden_inputs(mistake)["form_token"] == token
    assert not FormToken.objects.filter(token=token).exists()
    fixed = {"form_token": token, "visit_date_0": "3", "visit_date_1": "12",
             "visit_date_2": "2026", "visit_time": "10:30", "visited_by": str(tm.pk),
             "location": "home", "access_refused": "no", "child_seen": "yes",
             "seen_alone": "yes", "bedroom_seen": "yes"}
    assert client.post(f"/chronology/child/{child.pk}/visits/new/", fixed).status_code == 302
    assert Visit.objects.filter(child=child).count() == 1


# --- §3: a save over someone else's is refused ----------------------------------------------


@pytest.mark.parametrize("name", sorted(EDIT_FORMS))
def test_saving_a_stale_copy_is_refused_keeping_what_was_typed_and_naming_their_change(
        name: str, request: pytest.FixtureRequest, child, other_team_child) -> None:
    edit = EDIT_FORMS[name]
    access = ACCESS[name]
    path = _path(name, request, child, edit.path)
    mine, theirs = _browser(request, access.insider), _browser(request, access.insider)

    def save(browser: Client, text: str, page: object = None) -> object:
        page = page or browser.get(path)
        assert page.status_code == 200, f"{name}: the form answers {page.status_code}"
        return browser.post(path, {**page_data(page), **edit.extra, edit.field: text})

    warm_up = save(theirs, "A first save")  # a record with a version to be stale against
    assert warm_up.status_code == 302, (
        f"{name}: {warm_up.context and warm_up.context['form'].errors}")
    stale = mine.get(path)
    assert save(theirs, "Their change to it").status_code == 302
    refused = save(mine, "My long careful typing", stale)

    assert refused.status_code == 200, f"{name}: a stale save answered {refused.status_code}"
    page = refused.content.decode()
    assert 'data-testid="error-summary"' in page, f"{name}: no refusal shown"
    assert "My long careful typing" in page, f"{name}: what was typed is lost"
    assert "Their change to it" in page, f"{name}: the other person's change is not named"
    now = mine.get(path).content.decode()
    assert "Their change to it" in now, f"{name}: the other person's save was lost"
    assert "My long careful typing" not in now, f"{name}: the stale save was kept"
    # Having seen their change, saving again keeps what this user typed.
    again = mine.post(path, page_data(refused))
    assert again.status_code == 302, f"{name}: saving again after the refusal failed"
    assert "My long careful typing" in mine.get(path).content.decode()


def test_editing_a_plan_action_in_two_browsers_keeps_both_people_informed(
        request: pytest.FixtureRequest, child, sw) -> None:
    """The measured failure: the second of two browsers silently kept its stale copy."""
    from cpcases.plans.models import PlanAction
    from tests.plans.walk import walk_plan_action

    action = PlanAction.objects.get(pk=walk_plan_action(request, child))
    path = f"/plans/actions/{action.pk}/edit/"
    first, second = _browser(request, "sw"), _browser(request, "sw")
    page_one, page_two = first.get(path), second.get(path)
    assert first.post(path, {**page_data(page_one), "what": "Book the health check"}
                      ).status_code == 302
    refused = second.post(path, {**page_data(page_two), "what": "Arrange the school visit"})
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "changed this record after you opened it" in page
    assert "Book the health check" in page  # theirs, named
    assert "Arrange the school visit" in page  # what this user typed, kept
    action.refresh_from_db()
    assert action.what == "Book the health check"


# --- §3 in the API: every PATCH and PUT of the OpenAPI schema -------------------------------


@dataclass(frozen=True)
class ApiEdit:
    """path: with the permission walk's placeholders; field: a text field of the record."""

    path: str
    field: str
    insider: str = "sw"
    extra: dict[str, str] = field(default_factory=dict)


API_EDITS: dict[str, ApiEdit] = {
    "/api/v1/children/{id}/": ApiEdit("/api/v1/children/{child}/", "address"),
    "/api/v1/households/{id}/": ApiEdit("/api/v1/households/{household}/", "address"),
    "/api/v1/child-people/{id}/": ApiEdit("/api/v1/child-people/{child_person}/",
                                          "relationship"),
    "/api/v1/plan-actions/{id}/": ApiEdit("/api/v1/plan-actions/{plan_action}/", "what"),
    "/api/v1/policy-rules/{rule_id}/": ApiEdit("/api/v1/policy-rules/icpc/", "source",
                                               insider="admin_user",
                                               extra={"reason": "The walk"}),
    # The record of the conference (PUT: every section) and one attendance row (issue 15 §3).
    "/api/v1/conferences/{id}/record/": ApiEdit(
        "/api/v1/conferences/{conference}/record/", "facts", insider="bso",
        extra={"purpose": "Walk", "opinions": "", "child_views": "", "parent_views": "",
               "discussion": ""}),
    "/api/v1/conferences/{id}/attendance/{attendance_id}/": ApiEdit(
        "/api/v1/conferences/{conference}/attendance/{day_attendance}/", "name",
        insider="bso"),
}
# A field that takes a choice, not free text: the two values the walk uses.
_CHOICES = {"relationship": ("father", "carer", "mother")}


def _schema() -> dict[str, Any]:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def _schema_edits() -> list[tuple[str, str]]:
    return sorted((path, method) for path, operations in _schema()["paths"].items()
                  for method in operations if method in ("patch", "put"))


def test_every_patch_and_put_of_the_schema_is_walked() -> None:
    missing = sorted({path for path, _ in _schema_edits()} - set(API_EDITS))
    assert not missing, f"PATCH/PUT endpoints without an entry in API_EDITS: {missing}"


def test_the_schema_says_a_patch_needs_the_version_and_may_answer_409() -> None:
    schema = _schema()
    for path, method in _schema_edits():
        operation = schema["paths"][path][method]
        assert "409" in operation["responses"], f"{method} {path}"
        for media in operation["requestBody"]["content"].values():
            assert "version" in media["schema"]["allOf"][1]["required"], f"{method} {path}"
    for path, operations in schema["paths"].items():
        if "post" in operations:
            names = [p["name"] for p in operations["post"].get("parameters", [])]
            assert "Idempotency-Key" in names, f"post {path}"


@pytest.mark.parametrize(("schema_path", "method"), _schema_edits())
def test_an_api_save_from_a_stale_version_answers_409_naming_their_change(
        schema_path: str, method: str, request: pytest.FixtureRequest, child,
        other_team_child) -> None:
    from rest_framework.test import APIClient

    edit = API_EDITS[schema_path]
    path = _path(schema_path, request, child, edit.path)
    api = APIClient()
    api.force_authenticate(request.getfixturevalue(edit.insider))
    first, theirs, mine = _CHOICES.get(edit.field, ("A first save", "Their change to it",
                                                    "My long careful typing"))
    send = getattr(api, method)

    def save(text: str, version: int) -> Any:
        return send(path, {**edit.extra, edit.field: text, "version": version}, format="json")

    version = api.get(path).json()["version"]
    warm_up = save(first, version)  # a record with a version to be stale against
    assert warm_up.status_code == 200, warm_up.content
    read = api.get(path).json()["version"]
    saved = save(theirs, read)
    assert saved.status_code == 200, saved.content
    assert saved.json()["version"] == read + 1

    refused = save(mine, read)
    assert refused.status_code == 409
    body = refused.json()
    (change,) = [c for c in body["changes"] if c["field"] == edit.field]
    assert str(change["theirs"]).lower() == theirs.lower()  # a choice shows its label
    assert change["yours"] == mine
    assert body["current_version"] == read + 1
    assert send(path, {**edit.extra, edit.field: mine}, format="json").status_code == 400
    assert api.get(path).json()[edit.field] == theirs


def test_an_api_create_sent_twice_with_one_idempotency_key_makes_one_record(sw, child) -> None:
    from rest_framework.test import APIClient

    from cpcases.children.models import Household

    api = APIClient()
    api.force_login(sw)
    body = {"child": child.pk, "name": "Example, 1 High Street"}
    first = api.post("/api/v1/households/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201
    again = api.post("/api/v1/households/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert Household.objects.filter(name="Example, 1 High Street").count() == 1
    # Another key is another household.
    other = api.post("/api/v1/households/", body, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert other.json()["id"] != first.json()["id"]
