"""The whole child protection pathway driven through the API alone, as another council system
would drive it (issue 15 §6): contact at the front door → strategy discussion → Section 47
enquiry and its outcome → ICPC request, approval and booking → the conference day → the
child protection plan (core group, visits) → the review conference that ends the plan.

Only provisioning touches the database: the personas' users and their API tokens (an
administrator's job, `manage.py drf_create_token`). Everything after is HTTP to a live server
with each persona's own token. The client reads its paths from `/api/schema/` (a path not in
the schema fails the test) and checks every answer against the schema: its status must be
documented and its body must match the documented response (schemathesis); no deprecated
operation is used. Time is not frozen: the dates are today's, and the working-day engine
decides every due date; the client only asks `/api/v1/deadlines/` whether a deadline is open,
met, missed or cancelled. The clock of the process moves only where the domain needs another
day (see `days`: today is not a working day; the review, since a plan cannot end on the day
it started). Decisions §41.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
import schemathesis
import time_machine
from rest_framework.authtoken.models import Token

from cpcases.accounts.models import Team, User
from cpcases.accounts.roles import Role
from deadlines.services import calendar_for
from frontdoor.models import FrontDoorTeam
from tests.conftest import Org
from tests.factories import TeamFactory, UserFactory

LONDON = ZoneInfo("Europe/London")

# API defects this test found and that are not fixed yet: (method, path) → (the status
# answered, what is wrong). The call still must answer that status; once the schema documents
# it, the test fails until the entry is removed (so the list only ever shrinks).
KNOWN_DEFECTS: dict[tuple[str, str], tuple[int, str]] = {}


# --- the client --------------------------------------------------------------------------------


@dataclass
class Client:
    """A council system's client of the API: one session, a token per persona, the paths and
    response shapes from the served schema."""

    base: str
    tokens: dict[str, str]
    raw: dict[str, Any] = field(default_factory=dict)
    used: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.http = requests.Session()
        schema = self.http.get(f"{self.base}/api/schema/", params={"format": "json"},
                               headers=self._headers("sw"), timeout=30)
        assert schema.status_code == 200, schema.text[:500]
        self.raw = schema.json()
        self.schema = schemathesis.openapi.from_dict(self.raw)

    def _headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Token {self.tokens[who]}", "Accept": "application/json"}

    def call(self, who: str, method: str, template: str, *, expect: int = 200,
             body: dict[str, Any] | None = None, query: dict[str, Any] | None = None,
             files: dict[str, tuple[str, bytes, str]] | None = None, **ids: int) -> Any:
        """`method` `template` (a path of the schema) as `who`; the answer must have status
        `expect`, documented, with a body that matches the schema. With `files` the body is
        sent as multipart/form-data, else as JSON."""
        assert template in self.raw["paths"], f"{template} is not in the API's schema"
        operation = self.raw["paths"][template].get(method.lower())
        assert operation is not None, f"{method} {template} is not in the API's schema"
        # The client keeps to the current API: no operation the schema marks deprecated.
        assert not operation.get("deprecated"), f"{method} {template} is deprecated"
        headers = self._headers(who)
        if method == "POST":
            # A retry-safe client: every POST carries its own key (cpcases.core.idempotency).
            headers["Idempotency-Key"] = str(uuid.uuid4())
        url = self.base + template.format(**ids)
        sent = {"data": body, "files": files} if files else {"json": body}
        answer = self.http.request(method, url, params=query, headers=headers, timeout=60,
                                   **sent)
        self.used.append(f"{method} {template}")
        assert "Deprecation" not in answer.headers, f"{method} {url} answers as deprecated"
        where = f"{who}: {method} {url} {body or query or ''}"
        assert answer.status_code == expect, \
            f"{where}\n→ {answer.status_code} {answer.text[:2000]}"
        documented = str(answer.status_code) in operation["responses"]
        known = KNOWN_DEFECTS.get((method, template))
        if known and known[0] == answer.status_code:
            assert not documented, f"{method} {template} is fixed: remove it from KNOWN_DEFECTS"
            answer.status_code = 200  # the body still has to match the documented one
        else:
            assert documented, f"{where}\n→ {answer.status_code}, not documented in the " \
                               f"schema ({sorted(operation['responses'])})"
        try:
            self.schema[template][method].validate_response(answer)
        except Exception as exc:  # schemathesis' FailureGroup: report the request too
            raise AssertionError(f"{where}\n→ the body does not match the schema: "
                                 f"{exc!s}"[:3000]) from None
        return answer.json() if answer.content else None

    def every(self, who: str, template: str, **query: Any) -> list[dict[str, Any]]:
        """All the items of a paged list (following `next`)."""
        page, items = 1, []
        while True:
            found = self.call(who, "GET", template, query={**query, "page": page})
            items += found["results"]
            if not found["next"]:
                return items
            page += 1

    def deadlines(self, who: str, child: int) -> dict[str, list[str]]:
        """The child's deadlines as `who` sees them: rule → the statuses of its deadlines."""
        found: dict[str, list[str]] = {}
        for item in self.every(who, "/api/v1/deadlines/", child=child):
            found.setdefault(item["rule_id"], []).append(item["status"])
        return found


def _moment(at: dt.datetime) -> str:
    return at.isoformat(timespec="seconds")


# A report as a client would upload it: a (tiny) real PDF.
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]"
       b"/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


# --- provisioning ------------------------------------------------------------------------------


@dataclass
class People:
    duty_sw: User
    duty_tm: User
    sw: User
    tm: User
    chair: User
    bso: User
    police: User
    sw_b: User  # another team's social worker: the child is not theirs
    team_a: int  # the assessment team (a client is configured with the team ids it uses)


@pytest.fixture
def people(org: Org, sw: User, tm: User, chair: User, bso: User, police: User,
           sw_b: User) -> People:
    """The personas, and the MASH (the front door) with its duty social worker and manager."""
    mash: Team = TeamFactory(service=org.service, name="MASH")
    FrontDoorTeam.objects.create(team=mash)
    duty_sw = UserFactory(username="duty_sw", role=Role.SOCIAL_WORKER, authority=org.authority,
                          team=mash, full_name="Dana Duty", email="dana@example.org")
    duty_tm = UserFactory(username="duty_tm", role=Role.TEAM_MANAGER, authority=org.authority,
                          team=mash, full_name="Mo Mash", email="mo@example.org")
    return People(duty_sw=duty_sw, duty_tm=duty_tm, sw=sw, tm=tm, chair=chair, bso=bso,
                  police=police, sw_b=sw_b, team_a=org.team_a.pk)


@dataclass(frozen=True)
class Days:
    today: dt.date  # the ICPC's day
    next: dt.date  # the next working day: the review's


@pytest.fixture
def days(org: Org) -> Iterator[Days]:
    """Today, when it is a working day of the authority and not late in the evening; else
    10:00 on the next working day, by moving the clock of the whole process (the live server
    is a thread of it). A conference is booked for today or later and starts on its day,
    never before: the ICPC is held today. A plan cannot end on the day it started (census
    rule 8840): the review is held on the next working day (the test moves the clock)."""
    calendar = calendar_for(org.authority.pk)

    def after(day: dt.date) -> dt.date:
        day += dt.timedelta(days=1)
        while not calendar.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    now = dt.datetime.now(LONDON)
    if calendar.is_working_day(now.date()) and 7 <= now.hour < 21:
        yield Days(today=now.date(), next=after(now.date()))
        return
    day = after(now.date())
    with time_machine.travel(dt.datetime.combine(day, dt.time(10), tzinfo=LONDON), tick=True):
        yield Days(today=day, next=after(day))


@pytest.fixture
def api(days: Days, live_server: Any, people: People) -> Client:
    tokens = {name: Token.objects.create(user=getattr(people, name)).key
              for name in ("duty_sw", "duty_tm", "sw", "tm", "chair", "bso", "police",
                           "sw_b")}
    return Client(base=live_server.url, tokens=tokens)


# --- the pathway -------------------------------------------------------------------------------


def test_the_whole_pathway_from_contact_to_plan_end_through_the_api(
        api: Client, people: People, days: Days) -> None:
    today, ids = days.today, people
    now = dt.datetime.now(LONDON)
    received = now - dt.timedelta(hours=3)

    # 1. The front door (003 "Making Contact"): the school's contact, decided by the MASH
    # manager: an immediate strategy discussion (a referral is opened with it).
    contact = api.call("duty_sw", "POST", "/api/v1/contacts/", expect=201, body={
        "received_at": _moment(received), "source": "2A", "consent": "given",
        "referrer_name": "Mrs Ellis", "referrer_organisation": "Anyshire Primary",
        "concern": "Jayden came to school with bruises on both arms and says he is hungry.",
        "new_children": [{"first_name": "Jayden", "last_name": "Walker",
                          "date_of_birth": "2017-05-14", "sex": "M", "postcode": "AN1 2BC",
                          "address": "4 Mill Lane, Anytown"}]})
    child = contact["children"][0]["id"]
    decided = api.call("duty_tm", "POST", "/api/v1/contacts/{id}/decide/", id=contact["id"],
                       body={"decision": "strategy_discussion",
                             "urgency": "child_protection_concerns",
                             "reason": "Physical injury and neglect reported by the school"})
    assert decided["decision"] == "strategy_discussion"
    # 000: the discussion is due within 3 working days of the concern.
    assert "open" in api.deadlines("duty_tm", child)["strategy_discussion"]
    [referral] = api.every("duty_tm", "/api/v1/referrals/", contact=contact["id"])
    api.call("duty_tm", "POST", "/api/v1/referrals/{id}/acknowledge/", id=referral["id"])
    # The MASH manager passes the case to the assessment team; its manager allocates the
    # social worker, then the single assessment (003: within 2 working days of the referral).
    api.call("duty_tm", "POST", "/api/v1/children/{id}/allocation/", expect=201, id=child,
             body={"team": ids.team_a, "reason": "Strategy discussion needed"})
    allocated = api.call("tm", "POST", "/api/v1/children/{id}/allocation/", expect=201,
                         id=child, body={"team": ids.team_a, "social_worker": ids.sw.pk,
                                         "reason": "Allocated for the strategy discussion"})
    assert allocated["current_allocation"]["social_worker"] == ids.sw.full_name
    assessment = api.call("tm", "POST", "/api/v1/referrals/{id}/allocate/", expect=201,
                          id=referral["id"], body={"social_worker": ids.sw.pk})
    assert assessment["social_worker"] == ids.sw.pk
    record = api.call("sw", "GET", "/api/v1/children/{id}/", id=child)
    assert record["first_name"] == "Jayden"
    # The refusal rule as a client meets it (docs/api.md): another team's social worker is
    # told the record does not exist; no token is 401 with the scheme to use.
    hidden = api.call("sw_b", "GET", "/api/v1/children/{id}/", expect=404, id=child)
    assert hidden["status"] == 404
    anonymous = requests.get(f"{api.base}/api/v1/children/{child}/", timeout=30)
    assert anonymous.status_code == 401
    assert anonymous.headers["WWW-Authenticate"].startswith("Token")

    # 2. The strategy discussion (000, 003): the minimum attendance, a Section 47 enquiry
    # initiated. It meets the discussion's deadline and opens the ICPC's (15 working days).
    held = dt.datetime.now(LONDON) - dt.timedelta(minutes=30)
    discussion = api.call("sw", "POST", "/api/v1/strategy-discussions/", expect=201, body={
        "concern_identified_at": _moment(received), "urgency": "child_protection_concerns",
        "format": "meeting", "held_at": _moment(held),
        "outcomes": [{"child": child, "s47_enquiry": True}],
        "participants": [
            {"name": ids.sw.full_name, "agency": "csc", "role": "social_worker",
             "user": ids.sw.pk},
            {"name": ids.tm.full_name, "agency": "csc", "role": "manager", "user": ids.tm.pk},
            {"name": "Nurse Hale", "agency": "health", "role": "professional",
             "job_title": "School nurse"},
            {"name": ids.police.full_name, "agency": "police", "role": "professional",
             "user": ids.police.pk}],
        "actions": [{"who": "Police", "what": "Joint visit with the social worker",
                     "by_when": today.isoformat()}],
        "information_shared": "Bruising seen at school; two earlier contacts about neglect.",
        "criminal_investigation": "Police to interview the father."})
    assert discussion["children"] == [{"child": child, "s47_initiated": True, "next_step": ""}]
    due = api.deadlines("sw", child)
    assert due["strategy_discussion"] == ["met"]
    assert due["icpc"] == ["open"]
    assert due["icpc_request"] == ["open"]
    # The police officer who took part sees the discussion (a partner's scope).
    api.call("police", "GET", "/api/v1/strategy-discussions/{id}/", id=discussion["id"])

    # A consultation with a CP chair (000): through business support, recorded by the chair.
    consultation = api.call("sw", "POST", "/api/v1/consultations/", expect=201, body={
        "child": child, "question": "Is the threshold for an ICPC met?",
        "manager": ids.tm.pk})
    api.call("bso", "POST", "/api/v1/consultations/{id}/assign/", id=consultation["id"],
             body={"chair": ids.chair.pk})
    recorded = api.call("chair", "POST", "/api/v1/consultations/{id}/record/",
                        id=consultation["id"], body={
                            "held_at": _moment(dt.datetime.now(LONDON)),
                            "social_worker_took_part": True, "manager_took_part": True,
                            "danger_statements_developed": True,
                            "mapping_shared_with_family": True, "network_safety_plan": True,
                            "recommendation": "Convene an initial conference."})
    assert recorded["status"] == "recorded"

    # 3. The Section 47 enquiry and its outcome (003); the threshold decision with the duty
    # IRO on the Significant Harm Checklist (002 §2.3, 004).
    [enquiry] = api.every("sw", "/api/v1/s47-enquiries/", discussion=discussion["id"])
    threshold = api.call("tm", "POST", "/api/v1/threshold-decisions/", expect=201, body={
        "child": child, "harm_evidenced": True, "attributable_to_parental_care": True,
        "harm_likely": True, "rationale": "Injuries and neglect attributable to care.",
        "iro": ids.chair.pk})
    assert threshold["met"] is True
    api.call("chair", "POST", "/api/v1/threshold-decisions/{id}/iro-outcome/",
             id=threshold["id"], body={"outcome": "Threshold met: convene an ICPC."})
    concluded = api.call("sw", "POST", "/api/v1/s47-enquiries/{id}/outcome/", id=enquiry["id"],
                         body={"outcome": "substantiated", "outcome_date": today.isoformat(),
                               "reasons": "Likely to suffer significant harm."})
    assert concluded["outcome"] == "substantiated"

    # 4. The ICPC requested by the social worker, approved by the manager (meets
    # `icpc_request`), booked by business support with an independent chair.
    draft = api.call("sw", "POST", "/api/v1/conference-requests/", expect=201,
                     body={"children": [child], "reason": "Substantiated Section 47 enquiry."})
    assert draft["status"] == "draft"
    api.call("sw", "POST", "/api/v1/conference-requests/{id}/submit/", id=draft["id"])
    # The social worker may see the request but not approve it (002 §2.3: the manager).
    refused = api.call("sw", "POST", "/api/v1/conference-requests/{id}/approve/", expect=403,
                       id=draft["id"], body={})
    assert refused["status"] == 403
    approved = api.call("tm", "POST", "/api/v1/conference-requests/{id}/approve/",
                        id=draft["id"], body={"note": "Agreed."})
    assert approved["status"] == "approved"
    assert approved["icpc_due_date"] >= today.isoformat()
    due = api.deadlines("bso", child)
    assert due["icpc_request"] == ["met"]
    assert due["icpc_date_offered"] == ["open"]
    # Today's date makes the preparation deadlines impossible: the reason is recorded.
    conference = api.call("bso", "POST", "/api/v1/conference-requests/{id}/book/",
                          expect=201, id=draft["id"], body={
                              "date": today.isoformat(), "start_time": "10:00",
                              "venue": "Civic Centre, room 2", "chair": ids.chair.pk,
                              "minute_taker": ids.bso.pk,
                              "impossible_reason": "Same-day conference: risk to the child."})
    assert conference["within_timescale"] is True
    due = api.deadlines("sw", child)
    assert due["icpc_date_offered"] == ["met"]
    assert due["invitation_list"] == ["open"]

    # The invitation list (000: within 48 hours of the offer; 004: named professionals' own
    # e-mail and mobile).
    for invitee in ({"kind": "family", "name": "Kelly Walker", "role": "Mother",
                     "has_parental_responsibility": True},
                    {"kind": "professional", "name": "Nurse Hale", "agency": "health",
                     "role": "School nurse", "email": "j.hale@anyshire-nhs.example",
                     "mobile": "07700 900123"},
                    {"kind": "professional", "name": ids.police.full_name, "agency": "police",
                     "role": "Detective constable", "user": ids.police.pk,
                     "email": "pat.police@police.example", "mobile": "07700 900456"}):
        api.call("sw", "POST", "/api/v1/invitations/", expect=201,
                 body={"conference": conference["id"], **invitee})
    api.call("sw", "POST", "/api/v1/invitations/complete-list/",
             body={"conference": conference["id"]})
    assert api.deadlines("sw", child)["invitation_list"] == ["met"]
    mother = next(i for i in api.every("sw", "/api/v1/invitations/",
                                       conference=conference["id"]) if i["kind"] == "family")

    # The reports (002 §15-16): the social worker's, with a chronology, countersigned by the
    # team manager and shared with the mother and the chair; the police's. Booked for today,
    # their deadlines were born missed, with the booking's reason (issue 9 point 5).
    assert api.deadlines("sw", child)["report_countersigned"] == ["missed"]
    report = api.call("sw", "POST", "/api/v1/conference-reports/", expect=201, body={
        "conference": conference["id"], "kind": "social_worker", "includes_chronology": True},
        files={"file": ("report.pdf", PDF, "application/pdf")})
    countersigned = api.call("tm", "POST", "/api/v1/conference-reports/{id}/countersign/",
                             id=report["id"], body={"comments": "Endorsed."})
    assert countersigned["countersigned_by"] == ids.tm.pk
    for shared in ({"recipient": "family", "how": "in_person", "invitation": mother["id"]},
                   {"recipient": "chair", "how": "in_system"}):
        api.call("sw", "POST", "/api/v1/conference-reports/{id}/share/", expect=201,
                 id=report["id"], body=shared)
    api.call("police", "POST", "/api/v1/conference-reports/", expect=201, body={
        "conference": conference["id"], "kind": "agency", "agency": "police"},
        files={"file": ("police.pdf", PDF, "application/pdf")})

    # 5. The conference day, all under the conference (/conferences/{id}/): an observer with
    # both consents (002 §4.5); the attendance recorded by the minute-taker; quorate (002
    # §5.2: children's social care and two agencies in contact with the child); started by
    # the chair (meets the ICPC's deadline); the decision for the child.
    at = "/api/v1/conferences/{id}/"
    api.call("chair", "POST", at + "observers/", expect=201, id=conference["id"], body={
        "name": "Sam Student", "role": "Student social worker", "chair_consent": True,
        "family_consent": True})
    attendance = api.call("bso", "POST", at + "attendance/", expect=201, id=conference["id"],
                          body={"people": [
        {"name": ids.sw.full_name, "agency": "csc", "role": "Social worker",
         "direct_contact": True, "user": ids.sw.pk},
        {"name": "Nurse Hale", "agency": "health", "role": "School nurse",
         "direct_contact": True, "report_sent": True},
        {"name": ids.police.full_name, "agency": "police", "role": "Detective",
         "direct_contact": True, "user": ids.police.pk},
        {"name": "Dr Patel", "agency": "health", "role": "GP", "status": "absent"},
        {"name": "Kelly Walker", "participant_type": "family", "role": "Mother"}]})
    assert attendance["quoracy"]["quorate"] is True
    started = api.call("chair", "POST", at + "start/", id=conference["id"], body={})
    assert started["status"] == "held"
    assert started["day"]["started_at"]
    assert started["day"]["quorate_at_start"] is True
    assert api.deadlines("sw", child)["icpc"] == ["met"]
    first_core_group = today + dt.timedelta(days=7)
    decided = api.call("chair", "POST", at + "decisions/", expect=201, id=conference["id"],
                       body={
        "child": child, "outcome": "plan", "category": "neglect",
        "reasons": "Continuing risk of significant harm through neglect.",
        "recommendations": "Parenting assessment; school attendance monitored.",
        "outline_plan": "Jayden is fed, clean and at school every day.",
        "contingency": "Legal planning meeting if the plan is not followed.",
        "lead_social_worker": ids.sw.pk, "first_core_group_on": first_core_group.isoformat(),
        "core_group": [{"name": ids.police.full_name, "agency": "police", "role": "Detective",
                        "user": ids.police.pk},
                       {"name": "Nurse Hale", "agency": "health", "role": "School nurse"}],
        "agency_views": [{"agency": "health", "view": "A plan is needed.", "name": "Hale"},
                         {"agency": "police", "view": "A plan is needed."}]})
    decision = decided["decision"]  # and the conference after it
    assert decision["category"] == "neglect"
    assert decided["conference"]["day"]["undecided_children"] == []
    plan_id, review_id = decision["plan"], decision["review_conference"]
    assert plan_id
    assert review_id
    assert decision["review_date"] > today.isoformat()
    due = api.deadlines("sw", child)
    assert due["decision_letter"] == ["open"]
    assert due["core_group_first"] == ["open"]
    assert due["first_review"] == ["open"]
    assert due["record_to_professionals"] == ["open"]

    # After the conference (002 §22-23, 003): the decision letter (2 working days), the
    # decisions summary, the record written by the minute-taker and signed by the chair,
    # sent to the professionals and to the family; a written request to amend it; letters
    # to the professionals who neither came nor sent a report (001).
    letter = api.call("bso", "POST", at + "decision-letter/", id=conference["id"])
    assert letter["day"]["decision_letter_issued_at"]
    assert api.deadlines("sw", child)["decision_letter"] == ["met"]
    api.call("bso", "POST", at + "decision-summaries/", expect=201, id=conference["id"])
    record = api.call("bso", "GET", at + "record/", id=conference["id"])
    record = api.call("bso", "PUT", at + "record/", id=conference["id"], body={
        "version": record["version"],
        "purpose": "To decide whether Jayden needs a child protection plan.",
        "facts": "Bruising seen at school; two earlier contacts about neglect.",
        "opinions": "Agencies agree the home conditions are poor.",
        "child_views": "Jayden wants to stay at home and have breakfast.",
        "parent_views": "Ms Walker accepts help with food and routines.",
        "discussion": "The risk is continuing: a plan under neglect.",
        "confidential_sections": ["opinions"]})
    signed = api.call("chair", "POST", at + "sign-off/", id=conference["id"])
    assert signed["day"]["signed_off_by"] == ids.chair.pk
    for audience, recipients in (("professionals", "Nurse Hale, DC Pat Police (secure e-mail)"),
                                 ("family", "Kelly Walker (by post, the parents' copy)")):
        sent = api.call("bso", "POST", at + "record/distributions/", expect=201,
                        id=conference["id"], body={"audience": audience,
                                                   "recipients": recipients,
                                                   "sent_on": today.isoformat()})
    assert len(sent["distributions"]) == 2
    due = api.deadlines("sw", child)
    assert due["record_to_professionals"] == ["met"]
    assert due["record_to_family"] == ["met"]
    amendment = api.call("bso", "POST", at + "amendment-requests/", expect=201,
                         id=conference["id"], body={
                             "requested_by": "Kelly Walker", "received_on": today.isoformat(),
                             "requested_on": today.isoformat(),
                             "text": "My partner's name is spelt wrongly."})
    assert amendment["within_window"] is True
    letters = api.call("chair", "POST", at + "non-attendance-letters/", expect=201,
                       id=conference["id"])
    assert [letter["name"] for letter in letters["letters"]] == ["Dr Patel"]

    # 6. The child protection plan: a member added to its core group; its first meeting
    # (003: within 10 working days), the plan distributed (5 days), the lead social worker's
    # visit (every 10 working days).
    [plan] = api.every("sw", "/api/v1/plans/", child=child)
    assert plan["id"] == plan_id
    assert (plan["category"], plan["ended_on"]) == ("neglect", None)
    plan = api.call("sw", "POST", "/api/v1/plans/{id}/members/", expect=201, id=plan_id, body={
        "name": "Mr Okafor", "agency": "education", "role": "Designated safeguarding lead",
        "email": "a.okafor@anyshire-primary.example", "mobile": "07700 900789"})
    members = {m["name"]: m["id"] for m in plan["members"] if not m["removed_on"]}
    assert set(members) == {ids.police.full_name, "Nurse Hale", "Mr Okafor"}
    api.call("police", "GET", "/api/v1/plans/{id}/", id=plan_id)  # a core group member
    meeting = api.call("sw", "POST", "/api/v1/core-group-meetings/", expect=201, body={
        "plan": plan_id, "held_on": today.isoformat(),
        "attendance": [{"member": m, "attendance": "attended"} for m in members.values()],
        "minutes": "The outline plan made into a detailed plan.",
        "new_actions": [{"who": "Social worker", "what": "Parenting assessment",
                         "by_when": (today + dt.timedelta(days=28)).isoformat()}],
        "recommendation": "continue"})
    assert meeting["is_first"] is True
    assert api.deadlines("sw", child)["core_group_first"] == ["met"]
    api.call("sw", "POST", "/api/v1/core-group-meetings/{id}/distributed/", id=meeting["id"],
             body={"distributed_on": today.isoformat()})
    assert "met" in api.deadlines("sw", child)["plan_distributed"]
    [action] = api.every("sw", "/api/v1/plan-actions/", plan=plan_id)
    assert action["what"] == "Parenting assessment"
    visit = api.call("sw", "POST", "/api/v1/visits/", expect=201, body={
        "child": child, "visited_at": _moment(dt.datetime.now(LONDON)), "location": "home",
        "child_seen": True, "seen_alone": True, "bedroom_seen": True,
        "notes": "Jayden seen alone in his bedroom; food in the cupboards."})
    assert visit["child"] == child
    due = api.deadlines("sw", child)
    assert "met" in due["child_seen"]
    assert "open" in due["child_seen"]

    # 7. The review conference, booked by the ICPC's decision for three months ahead, brought
    # forward by the chair (003: a significant change: the father, who posed the risk, has
    # been sentenced) to the next working day: the clock moves there. Held and quorate, it
    # ends the plan at the first review on 003's exceptional circumstance, with a Child in
    # Need plan to step down to (001).
    review_day = days.next.isoformat()
    moved = api.call("chair", "POST", at + "bring-forward/", id=review_id, body={
        "on": review_day, "trigger": "significant_change",
        "reason": "The father was remanded in custody and has since been sentenced."})
    assert moved["date"] == review_day
    assert moved["kind"] == "review"
    with time_machine.travel(dt.datetime.combine(days.next, dt.time(10), tzinfo=LONDON),
                             tick=True):
        _review_ends_the_plan(api, ids, child=child, plan_id=plan_id, review_id=review_id,
                              day=days.next)


def _review_ends_the_plan(api: Client, ids: People, *, child: int, plan_id: int,
                          review_id: int, day: dt.date) -> None:
    at, today = "/api/v1/conferences/{id}/", day
    api.call("bso", "POST", at + "attendance/", expect=201, id=review_id, body={"people": [
        {"name": ids.sw.full_name, "agency": "csc", "role": "Social worker",
         "direct_contact": True, "user": ids.sw.pk},
        {"name": "Nurse Hale", "agency": "health", "role": "School nurse",
         "direct_contact": True},
        {"name": ids.police.full_name, "agency": "police", "role": "Detective",
         "direct_contact": True, "user": ids.police.pk}]})
    api.call("chair", "POST", at + "start/", id=review_id, body={})
    assert api.deadlines("sw", child)["first_review"] == ["met"]
    ended = api.call("chair", "POST", at + "decisions/", expect=201, id=review_id, body={
        "child": child, "outcome": "end", "end_reason": "no_longer_at_risk",
        "exceptional_circumstance": "custodial",
        "reasons": "The risk came from the father, now serving a long custodial sentence.",
        "start_cin_plan": True,
        "cin_first_meeting_on": (today + dt.timedelta(days=7)).isoformat()})
    ended = ended["decision"]
    assert ended["outcome"] == "end"
    assert ended["cin_plan"]
    review = api.call("bso", "POST", at + "decision-letter/", id=review_id)
    assert review["day"]["undecided_children"] == []

    # 8. The plan has ended: the step-down Child in Need plan runs, its first multi-agency
    # meeting held (003: within 10 days); the plan's clocks stop.
    plan = api.call("sw", "GET", "/api/v1/plans/{id}/", id=plan_id)
    assert (plan["ended_on"], plan["end_reason"]) == (today.isoformat(), "no_longer_at_risk")
    assert plan["end_conference"] == review_id
    [cin_plan] = api.every("sw", "/api/v1/child-in-need-plans/", from_plan=plan_id)
    assert cin_plan["id"] == ended["cin_plan"]
    assert "open" in api.deadlines("sw", child)["stepdown_meeting"]
    cin_plan = api.call("sw", "POST", "/api/v1/child-in-need-plans/{id}/meetings/", expect=201,
                        id=cin_plan["id"], body={"held_on": today.isoformat(),
                                                 "kind": "meeting",
                                                 "notes": "Step-down plan agreed."})
    assert [m["kind"] for m in cin_plan["meetings"]] == ["meeting"]
    due = api.deadlines("sw", child)
    assert due["stepdown_meeting"] == ["met"]
    for rule_id in ("child_seen", "bedroom_seen", "core_group_next"):
        assert "open" not in due.get(rule_id, []), (rule_id, due.get(rule_id))
