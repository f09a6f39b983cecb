"""Every route has an access test: a user outside the case (or not signed in) is refused.

The walk lists every URL the project serves. A new route without an entry in ACCESS fails
`test_every_route_has_an_access_rule`, so nobody can add a page or endpoint without saying
who may reach it and proving that someone outside the case cannot.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from cpcases.audit.models import AccessAction, AccessEvent
from cpcases.children.models import Child

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Access:
    """How to reach a route, who may, and what someone outside gets.

    path: with {child} for a child the insider sees and the outsider does not.
    insider: persona fixture name that gets `ok`; outsider: persona refused (None: anonymous).
    """

    path: str
    insider: str = "sw"
    outsider: str | None = "sw_b"
    ok: int = 200
    refused: tuple[int, ...] = (404,)
    method: str = "get"  # "post" for routes that only accept POST (sent with no data)


ANON = (302,)  # pages send anonymous users to sign in
API_ANON = (401, 403)

ACCESS: dict[str, Access] = {
    "home": Access("/", outsider=None, refused=ANON),  # "My work" (issue 9)
    "accounts:login": Access("/sign-in/", insider="sw", ok=302, outsider=None, refused=(200,)),
    "accounts:logout": Access("/sign-out/", ok=405, outsider=None, refused=(405,)),
    "accounts:session_extend": Access("/session/extend/", ok=405, outsider=None,
                                      refused=(*ANON, 405)),
    # Multi-factor sign-in (issue 12 §6): with no app set up, the code page sends to set-up.
    "accounts:mfa_verify": Access("/sign-in/code/", ok=302, outsider=None, refused=ANON),
    "accounts:mfa_setup": Access("/sign-in/set-up-app/", outsider=None, refused=ANON),
    # Issue 12 §2: the health check is public (no child data); 503 while no sweep has run.
    "healthz": Access("/healthz", outsider=None, ok=503, refused=(503,)),
    "children:caseload": Access("/children/", outsider=None, refused=ANON),
    "help": Access("/help/", outsider=None, refused=ANON),
    "children:search": Access("/children/search/", outsider=None, refused=ANON),
    "children:create": Access("/children/new/", outsider="chair", refused=(403,)),
    "children:detail": Access("/children/{child}/"),
    "children:edit": Access("/children/{child}/edit/"),
    "children:people": Access("/children/{child}/people/"),
    "children:person_add": Access("/children/{child}/people/add/"),
    "children:allocation": Access("/children/{child}/allocation/"),
    "children:allocate": Access("/children/{child}/allocation/change/", insider="tm",
                                outsider="tm_b"),
    "children:audit": Access("/children/{child}/audit/", insider="tm", outsider="tm_b"),
    # Issue 12 §8: the child's documents as sent, each download logged.
    "documents:child": Access("/children/{child}/documents/"),
    "documents:download": Access("/children/{child}/documents/{issued_document}/"),
    "api:api-root": Access("/api/v1/", outsider=None, refused=API_ANON),
    "api:child-list": Access("/api/v1/children/", outsider=None, refused=API_ANON),
    "api:child-detail": Access("/api/v1/children/{child}/"),
    "api:person-list": Access("/api/v1/people/", outsider=None, refused=API_ANON),
    "api:person-detail": Access("/api/v1/people/{person}/"),
    # Issue 15 §3: the allocation page's action (POST only).
    "api:child-allocate": Access("/api/v1/children/{child}/allocation/", ok=405,
                                 outsider=None, refused=API_ANON),
    "schema": Access("/api/schema/", outsider=None, refused=API_ANON),
    "api-docs": Access("/api/docs/", outsider=None, refused=API_ANON),
    # --- strategy (discussions, S47, threshold, consultations): {discussion}, {enquiry},
    # {threshold}, {consultation_requested} and {consultation_assigned} are built for the
    # walk's child by tests.strategy.walk.
    "strategy:child": Access("/strategy/child/{child}/"),
    "strategy:discussion_new": Access("/strategy/child/{child}/discussions/new/"),
    "strategy:threshold_new": Access("/strategy/child/{child}/threshold/new/", insider="tm",
                                     outsider="tm_b"),
    "strategy:consultation_new": Access("/strategy/child/{child}/consultations/new/"),
    "strategy:concern_new": Access("/strategy/child/{child}/concerns/new/"),
    "strategy-api:concern-list": Access("/api/v1/concerns/", outsider=None, refused=API_ANON),
    "strategy-api:concern-detail": Access("/api/v1/concerns/{concern}/"),
    "strategy:discussion_detail": Access("/strategy/discussions/{discussion}/"),
    "strategy:s47_outcome": Access("/strategy/enquiries/{enquiry}/outcome/"),
    "strategy:threshold_iro": Access("/strategy/thresholds/{threshold}/iro/", insider="chair",
                                     outsider="bso"),
    "strategy:my_requests": Access("/strategy/consultations/mine/", outsider="bso",
                                   refused=(403,)),
    "strategy:consultation_queue": Access("/strategy/consultations/queue/", insider="bso",
                                          outsider="sw", refused=(403,)),
    "strategy:chair_consultations": Access("/strategy/consultations/chair/", insider="chair",
                                           outsider="bso", refused=(403,)),
    "strategy:consultation_assign": Access(
        "/strategy/consultations/{consultation_requested}/assign/", insider="bso",
        outsider="sw", refused=(403,)),
    "strategy:consultation_held": Access(
        "/strategy/consultations/{consultation_assigned}/held/", insider="chair",
        outsider="bso", refused=(403,)),
    "strategy:consultation_record": Access(
        "/strategy/consultations/{consultation_assigned}/record/", insider="chair",
        outsider="bso", refused=(403,)),
    **{f"strategy-api:{basename}-list": Access(f"/api/v1/{prefix}/", outsider=None,
                                               refused=API_ANON)
       for basename, prefix in (("discussion", "strategy-discussions"),
                                ("enquiry", "s47-enquiries"),
                                ("threshold", "threshold-decisions"),
                                ("consultation", "consultations"))},
    "strategy-api:discussion-detail": Access("/api/v1/strategy-discussions/{discussion}/"),
    "strategy-api:enquiry-detail": Access("/api/v1/s47-enquiries/{enquiry}/"),
    "strategy-api:threshold-detail": Access("/api/v1/threshold-decisions/{threshold}/",
                                            insider="tm", outsider="tm_b"),
    "strategy-api:consultation-detail": Access(
        "/api/v1/consultations/{consultation_requested}/"),
    **{f"strategy-api:{name}": Access(path, ok=405, outsider=None, refused=API_ANON)
       for name, path in (
           ("enquiry-outcome", "/api/v1/s47-enquiries/{enquiry}/outcome/"),
           ("threshold-iro-outcome", "/api/v1/threshold-decisions/{threshold}/iro-outcome/"),
           ("consultation-assign", "/api/v1/consultations/{consultation_requested}/assign/"),
           ("consultation-record", "/api/v1/consultations/{consultation_assigned}/record/"),
           ("consultation-held", "/api/v1/consultations/{consultation_assigned}/held/"))},
    # --- deadlines: {deadline} and {notification} are built by tests.deadlines.walk.
    "deadlines:mine": Access("/deadlines/", outsider=None, refused=ANON),
    "deadlines:team": Access("/deadlines/team/", insider="tm", outsider="sw", refused=(403,)),
    "deadlines:child": Access("/deadlines/child/{child}/"),
    "deadlines:authorise_delay": Access("/deadlines/{deadline}/authorise-delay/",
                                        insider="hos", outsider="sw", refused=(403, 404)),
    "deadlines:notifications": Access("/deadlines/notifications/", outsider=None,
                                      refused=ANON),
    "deadlines:notification_read": Access("/deadlines/notifications/{notification}/read/",
                                          ok=302, outsider=None, refused=ANON, method="post"),
    "deadlines:notifications_read_all": Access("/deadlines/notifications/read-all/", ok=302,
                                               outsider=None, refused=ANON, method="post"),
    "deadlines:notifications_read_selected": Access(
        "/deadlines/notifications/read/", ok=302, outsider=None, refused=ANON, method="post"),
    "deadlines:policy": Access("/deadlines/policy/", insider="admin_user", outsider="tm",
                               refused=(403,)),
    "deadlines:closure_days": Access("/deadlines/policy/closure-days/", insider="admin_user",
                                     outsider="tm", refused=(403,)),
    "deadlines:closure_day_remove": Access("/deadlines/policy/closure-days/{closure_day}/remove/",
                                           insider="admin_user", outsider="tm",
                                           refused=(403, 404)),
    "deadlines:policy_profile": Access("/deadlines/policy/profile/", insider="admin_user",
                                       outsider="hos", refused=(403,)),
    "deadlines:policy_rule": Access("/deadlines/policy/icpc/", insider="admin_user",
                                    outsider="sm", refused=(403,)),
    "deadlines:policy_rule_reset": Access("/deadlines/policy/icpc/reset/",
                                          insider="admin_user", ok=302, outsider="tm",
                                          refused=(403,), method="post"),
    "deadlines-api:deadline-list": Access("/api/v1/deadlines/", outsider=None,
                                          refused=API_ANON),
    "deadlines-api:deadline-detail": Access("/api/v1/deadlines/{deadline}/"),
    "deadlines-api:my-work": Access("/api/v1/my-work/", outsider=None, refused=API_ANON),
    "deadlines-api:policy-rule-list": Access("/api/v1/policy-rules/", outsider=None,
                                             refused=API_ANON),
    "deadlines-api:policy-rule-detail": Access("/api/v1/policy-rules/icpc/", outsider=None,
                                               refused=API_ANON),
    # --- conferences (ICPC request and booking): {conference_request}, {conference} and
    # {delay} are built for the walk's child by tests.conferences.factories.
    "conferences:my_requests": Access("/conferences/requests/", outsider="bso",
                                      refused=(403,)),
    "conferences:approvals": Access("/conferences/approvals/", insider="tm", outsider="sw",
                                    refused=(403,)),
    "conferences:second_conferences": Access("/conferences/second-conferences/",
                                             insider="sm", outsider="tm", refused=(403,)),
    "conferences:booking_queue": Access("/conferences/to-book/", insider="bso",
                                        outsider="sw", refused=(403,)),
    "conferences:calendar": Access("/conferences/calendar/", insider="bso", outsider="sw",
                                   refused=(403,)),
    "conferences:delays": Access("/conferences/delays/", insider="hos", outsider="tm",
                                 refused=(403,)),
    "conferences:delay_decide": Access("/conferences/delays/{delay}/", insider="hos",
                                       outsider="tm", refused=(403,)),
    "conferences:child": Access("/conferences/child/{child}/"),
    "conferences:request_new": Access("/conferences/child/{child}/request/"),
    "conferences:request_detail": Access("/conferences/requests/{conference_request}/"),
    "conferences:request_edit": Access("/conferences/requests/{conference_request}/edit/"),
    "conferences:request_submit": Access("/conferences/requests/{conference_request}/submit/",
                                         ok=302),
    "conferences:request_approve": Access(
        "/conferences/requests/{conference_request}/approve/", insider="tm", outsider="tm_b"),
    "conferences:request_return": Access(
        "/conferences/requests/{conference_request}/return/", insider="tm", outsider="tm_b"),
    "conferences:request_agree": Access(
        "/conferences/requests/{conference_request}/agree-second/", insider="sm",
        outsider="police", refused=(403,)),
    "conferences:request_book": Access("/conferences/requests/{conference_request}/book/",
                                       insider="bso", outsider="police", refused=(403,)),
    "conferences:request_cancel": Access(
        "/conferences/requests/{conference_request}/cancel/", insider="tm", outsider="tm_b"),
    "conferences:request_delay": Access(
        "/conferences/requests/{conference_request}/delay/", insider="tm", outsider="tm_b"),
    "conferences-api:conference-request-list": Access(
        "/api/v1/conference-requests/", outsider=None, refused=API_ANON),
    "conferences-api:conference-request-detail": Access(
        "/api/v1/conference-requests/{conference_request}/"),
    **{f"conferences-api:conference-request-{name}": Access(
        f"/api/v1/conference-requests/{{conference_request}}/{name}/", ok=405, outsider=None,
        refused=API_ANON)
       for name in ("submit", "approve", "return", "agree-second", "book", "cancel")},
    "conferences-api:conference-list": Access("/api/v1/conferences/", outsider=None,
                                              refused=API_ANON),
    "conferences-api:conference-detail": Access("/api/v1/conferences/{conference}/"),
    **{f"conferences-api:conference-{name}": Access(
        f"/api/v1/conferences/{{conference}}/{name}/", ok=405, outsider=None,
        refused=API_ANON) for name in ("reschedule", "cancel")},
    # The record and outputs (issue 15 §3, conferences/outcomes/outputs_api.py).
    "conferences-api:conference-non-attendance": Access(
        "/api/v1/conferences/non-attendance/", insider="chair", outsider=None,
        refused=API_ANON),
    **{f"conferences-api:conference-{name}": Access(
        f"/api/v1/conferences/{{conference}}/{name}/")
       for name in ("record", "amendment-requests", "attendance")},
    "conferences-api:conference-attendance-detail": Access(
        "/api/v1/conferences/{conference}/attendance/{day_attendance}/"),
    **{f"conferences-api:conference-{name.replace('/', '-')}": Access(
        f"/api/v1/conferences/{{conference}}/{name}/", ok=405, outsider=None,
        refused=API_ANON)
       for name in ("record/distributions", "decision-summaries", "attendance/from-invitations",
                    "observers", "non-attendance-letters", "plan-links")},
    # The conference day under the conference (issue 15 §5; conferences.outcomes.day_api).
    "conferences-api:conference-decisions": Access(
        "/api/v1/conferences/{day_conference}/decisions/"),
    "conferences-api:conference-decision": Access(
        "/api/v1/conferences/{day_conference}/decisions/{day_decision}/"),
    **{f"conferences-api:conference-{name}": Access(
        f"/api/v1/conferences/{{day_conference}}/{name}/", ok=405, outsider=None,
        refused=API_ANON)
       for name in ("start", "adjourn", "scores", "decision-letter", "sign-off",
                    "bring-forward")},
    "conferences-api:delay-authorisation-list": Access(
        "/api/v1/delay-authorisations/", outsider=None, refused=API_ANON),
    "conferences-api:delay-authorisation-detail": Access(
        "/api/v1/delay-authorisations/{delay}/"),
    **{f"conferences-api:delay-authorisation-{name}": Access(
        f"/api/v1/delay-authorisations/{{delay}}/{name}/", ok=405, outsider=None,
        refused=API_ANON) for name in ("authorise", "refuse")},
    # --- conferences before the day (invitations, reports, exclusions: conferences.
    # conferences.preparation views / api): {invitation}, {report} and {exclusion} are built
    # for the walk's child by tests.conferences.factories.
    "conferences:conference": Access("/conferences/{conference}/"),
    "conferences:conference_calendar": Access("/conferences/{conference}/calendar.ics"),
    "conferences:invitations_prefill": Access(
        "/conferences/{conference}/invitations/prefill/", ok=302, method="post"),
    "conferences:invitations_complete": Access(
        "/conferences/{conference}/invitations/complete/", ok=302, method="post"),
    "conferences:invitation_add": Access("/conferences/{conference}/invitations/add/"),
    "conferences:invitations_send": Access("/conferences/{conference}/invitations/send/"),
    "conferences:invitation_edit": Access("/conferences/invitations/{invitation}/"),
    "conferences:invitation_remove": Access("/conferences/invitations/{invitation}/remove/",
                                            ok=302, method="post"),
    "conferences:report_upload": Access("/conferences/{conference}/reports/upload/"),
    "conferences:report_download": Access("/conferences/reports/{report}/download/"),
    "conferences:report_countersign": Access("/conferences/reports/{report}/countersign/",
                                             insider="tm", outsider="tm_b"),
    "conferences:report_share": Access("/conferences/reports/{report}/share/"),
    "conferences:exclusion_new": Access("/conferences/{conference}/exclusions/new/"),
    "conferences:exclusion_decide": Access("/conferences/exclusions/{exclusion}/decide/",
                                           insider="chair", outsider="sw", refused=(403,)),
    "conferences:exclusion_report": Access("/conferences/exclusions/{exclusion}/report/"),
    **{f"conferences-api:{basename}-list": Access(f"/api/v1/{prefix}/", outsider=None,
                                                  refused=API_ANON)
       for basename, prefix in (("invitation", "invitations"),
                                ("conference-report", "conference-reports"),
                                ("exclusion-request", "exclusion-requests"))},
    "conferences-api:invitation-detail": Access("/api/v1/invitations/{invitation}/"),
    "conferences-api:conference-report-detail": Access("/api/v1/conference-reports/{report}/"),
    "conferences-api:conference-report-download": Access(
        "/api/v1/conference-reports/{report}/download/"),
    "conferences-api:exclusion-request-detail": Access(
        "/api/v1/exclusion-requests/{exclusion}/"),
    **{f"conferences-api:invitation-{name}": Access(
        f"/api/v1/invitations/{name}/", ok=405, outsider=None, refused=API_ANON)
       for name in ("prefill", "complete-list", "mark-sent")},
    **{f"conferences-api:{basename}-{name}": Access(
        f"/api/v1/{prefix}/{{{key}}}/{name}/", ok=405, outsider=None, refused=API_ANON)
       for basename, prefix, key, name in (
           ("invitation", "invitations", "invitation", "respond"),
           ("invitation", "invitations", "invitation", "advocacy"),
           ("conference-report", "conference-reports", "report", "countersign"),
           ("conference-report", "conference-reports", "report", "share"),
           ("exclusion-request", "exclusion-requests", "exclusion", "decide"),
           ("exclusion-request", "exclusion-requests", "exclusion", "provide-report"))},
    # --- conference day and after (conferences.outcomes): {day_conference},
    # {day_attendance} and {day_review} are built for the walk's child by tests.outcomes.walk.
    "conference_outcomes:day_list": Access("/conferences/day/", insider="chair",
                                           outsider="sw", refused=(403,)),
    "conference_outcomes:non_attendance": Access("/conferences/day/non-attendance/",
                                                 insider="tm", outsider="bso",
                                                 refused=(403,)),
    "conference_outcomes:day": Access("/conferences/{day_conference}/day/"),
    "conference_outcomes:disparity_new": Access(
        "/conferences/{day_conference}/day/children/{child}/resource-disparity/",
        insider="chair"),
    "conference_outcomes:disparities": Access("/conferences/resource-disparities/",
                                              insider="sm", outsider="tm", refused=(403,)),
    "conference_outcomes:disparity_resolve": Access(
        "/conferences/resource-disparities/{disparity}/resolve/", insider="sm",
        outsider="tm", refused=(403,)),
    "conference-outcomes-api:resource-disparity-list": Access(
        "/api/v1/resource-disparities/", outsider=None, refused=API_ANON),
    "conference-outcomes-api:resource-disparity-detail": Access(
        "/api/v1/resource-disparities/{disparity}/"),
    "conference-outcomes-api:resource-disparity-resolve": Access(
        "/api/v1/resource-disparities/{disparity}/resolve/", ok=405, outsider=None,
        refused=API_ANON),
    "conference_outcomes:attendance_add": Access(
        "/conferences/{day_conference}/day/attendance/add/", insider="bso"),
    "conference_outcomes:attendance_prefill": Access(
        "/conferences/{day_conference}/day/attendance/prefill/", insider="bso", ok=302,
        method="post"),
    "conference_outcomes:attendance_edit": Access(
        "/conferences/{day_conference}/day/attendance/{day_attendance}/", insider="bso"),
    "conference_outcomes:observer": Access("/conferences/{day_conference}/day/observer/",
                                           insider="bso"),
    "conference_outcomes:start": Access("/conferences/{day_conference}/day/start/",
                                        insider="chair"),
    "conference_outcomes:adjourn": Access("/conferences/{day_conference}/day/adjourn/",
                                          insider="chair"),
    "conference_outcomes:scores": Access(
        "/conferences/{day_conference}/day/children/{child}/scores/", insider="chair"),
    "conference_outcomes:decision": Access(
        "/conferences/{day_conference}/day/children/{child}/decision/", insider="chair"),
    "conference_outcomes:bring_forward": Access(
        "/conferences/{day_review}/day/bring-forward/", insider="tm", outsider="tm_b"),
    "conference_outcomes:outputs": Access("/conferences/{day_conference}/outputs/"),
    "conference_outcomes:record_edit": Access(
        "/conferences/{day_conference}/outputs/record/", insider="bso"),
    "conference_outcomes:distribute": Access(
        "/conferences/{day_conference}/outputs/distribute/", insider="bso"),
    "conference_outcomes:amendment": Access(
        "/conferences/{day_conference}/outputs/amendments/", insider="bso"),
    "conference_outcomes:issue": Access(
        "/conferences/{day_conference}/outputs/issue/letter/", insider="bso", ok=302,
        method="post"),
    "conference_outcomes:document": Access(
        "/conferences/{day_conference}/outputs/documents/record/"),
    "conference_outcomes:document_pdf": Access(
        "/conferences/{day_conference}/outputs/documents/record/pdf/"),
    "conference-outcomes-api:conference-day-list": Access(
        "/api/v1/conference-days/", outsider=None, refused=API_ANON),
    "conference-outcomes-api:conference-day-detail": Access(
        "/api/v1/conference-days/{day_conference}/"),
    **{f"conference-outcomes-api:conference-day-{name}": Access(
        f"/api/v1/conference-days/{{day_conference}}/{name}/", ok=405, outsider=None,
        refused=API_ANON)
       for name in ("attendance", "start", "adjourn", "scores", "decisions",
                    "decision-letter", "sign-off", "bring-forward")},
    # --- plans (child protection plans, core groups, Child in Need plans): {plan},
    # {plan_action}, {plan_version}, {core_group_meeting} and {cin_plan} are built for the
    # walk's child by tests.plans.walk. "police" is a partner outside the core group.
    "plans:child": Access("/plans/child/{child}/"),
    "plans:start": Access("/plans/child/{child}/start/"),
    "plans:cin_start": Access("/plans/child/{child}/child-in-need/new/"),
    "plans:detail": Access("/plans/{plan}/", outsider="police"),
    "plans:revise": Access("/plans/{plan}/revise/", insider="tm", outsider="tm_b"),
    "plans:lead_change": Access("/plans/{plan}/lead/", insider="tm", outsider="tm_b"),
    "plans:end": Access("/plans/{plan}/end/"),
    "plans:action_add": Access("/plans/{plan}/actions/new/"),
    "plans:member_add": Access("/plans/{plan}/members/new/"),
    "plans:meeting_new": Access("/plans/{plan}/core-groups/new/", outsider="police"),
    "plans:action_edit": Access("/plans/actions/{plan_action}/edit/"),
    "plans:version": Access("/plans/versions/{plan_version}/"),
    "plans:meeting_detail": Access("/plans/core-groups/{core_group_meeting}/"),
    "plans:meeting_distributed": Access("/plans/core-groups/{core_group_meeting}/distributed/"),
    "plans:cin_detail": Access("/plans/child-in-need/{cin_plan}/"),
    "plans:cin_meeting_new": Access("/plans/child-in-need/{cin_plan}/meetings/new/"),
    "plans:cin_action_add": Access("/plans/child-in-need/{cin_plan}/actions/new/"),
    "plans:cin_end": Access("/plans/child-in-need/{cin_plan}/end/", insider="tm",
                            outsider="tm_b"),
    "plans:stepdown_decisions": Access("/plans/step-down-decisions/", insider="hos",
                                       outsider="tm", refused=(403,)),
    "plans-api:plan-list": Access("/api/v1/plans/", outsider=None, refused=API_ANON),
    "plans-api:plan-detail": Access("/api/v1/plans/{plan}/"),
    **{f"plans-api:plan-{name}": Access(f"/api/v1/plans/{{plan}}/{path}/", ok=405,
                                        outsider=None, refused=API_ANON)
       for name, path in (("end", "end"), ("revise", "revise"), ("add-action", "actions"),
                          ("lead", "lead"), ("add-member", "members"))},
    "plans-api:plan-action-list": Access("/api/v1/plan-actions/", outsider=None,
                                         refused=API_ANON),
    "plans-api:plan-action-detail": Access("/api/v1/plan-actions/{plan_action}/"),
    "plans-api:core-group-meeting-list": Access("/api/v1/core-group-meetings/", outsider=None,
                                                refused=API_ANON),
    "plans-api:core-group-meeting-detail": Access(
        "/api/v1/core-group-meetings/{core_group_meeting}/"),
    "plans-api:core-group-meeting-distributed": Access(
        "/api/v1/core-group-meetings/{core_group_meeting}/distributed/", ok=405,
        outsider=None, refused=API_ANON),
    "plans-api:cin-plan-list": Access("/api/v1/child-in-need-plans/", outsider=None,
                                      refused=API_ANON),
    "plans-api:cin-plan-detail": Access("/api/v1/child-in-need-plans/{cin_plan}/"),
    **{f"plans-api:cin-plan-{name}": Access(f"/api/v1/child-in-need-plans/{{cin_plan}}/{path}/",
                                            ok=405, outsider=None, refused=API_ANON)
       for name, path in (("add-meeting", "meetings"), ("add-action", "actions"),
                          ("end", "end"))},
    # --- chronology (statutory visits, multi-agency chronology): {visit} is built for the
    # walk's child by tests.chronology.walk.
    "chronology:visits": Access("/chronology/child/{child}/visits/"),
    "chronology:visit_new": Access("/chronology/child/{child}/visits/new/", insider="tm",
                                   outsider="police", refused=(403,)),
    "chronology:child": Access("/chronology/child/{child}/", outsider="police"),
    "chronology:entry_new": Access("/chronology/child/{child}/entries/new/"),
    "chronology:print": Access("/chronology/child/{child}/print/", insider="tm",
                               outsider="tm_b"),
    "chronology:export": Access("/chronology/child/{child}/export.csv"),
    "chronology-api:visit-list": Access("/api/v1/visits/", outsider=None, refused=API_ANON),
    "chronology-api:visit-detail": Access("/api/v1/visits/{visit}/"),
    "chronology-api:chronology": Access("/api/v1/chronology/{child}/", outsider="police"),
    "chronology-api:chronology-csv": Access("/api/v1/chronology/{child}/csv/"),
    # --- the front door: {contact}, {referral}, {assessment}, {household} and
    # {child_person} are built for the walk's child by tests.frontdoor.walk (team A is made a
    # front-door team). Break-glass is refused to partners; searching the authority too.
    "frontdoor:queue": Access("/front-door/", outsider="police", refused=(403,)),
    "frontdoor:search": Access("/front-door/find/", outsider="police", refused=(403,)),
    # The query names {front_door}, which makes team A a front-door team for the walk.
    "frontdoor:contact_new": Access("/front-door/contacts/new/?walk={front_door}",
                                    outsider="sw_b", refused=(403,)),
    "frontdoor:contact": Access("/front-door/contacts/{contact}/"),
    "frontdoor:referral": Access("/front-door/referrals/{referral}/"),
    "frontdoor:assessment": Access("/front-door/assessments/{assessment}/"),
    "frontdoor:child": Access("/front-door/child/{child}/"),
    "frontdoor:new_information": Access("/front-door/child/{child}/new-information/"),
    "frontdoor:break_glass": Access("/front-door/child/{child}/open/", ok=302,
                                    outsider="police", refused=(403,)),
    "frontdoor:merge": Access("/front-door/child/{child}/merge/", insider="tm",
                              outsider="tm_b"),
    "frontdoor:household": Access("/front-door/child/{child}/household/"),
    "frontdoor:child_person": Access("/front-door/child/{child}/people/{child_person}/"),
    **{f"frontdoor-api:{basename}-list": Access(f"/api/v1/{prefix}/", outsider=None,
                                                refused=API_ANON)
       for basename, prefix in (("contact", "contacts"), ("referral", "referrals"),
                                ("assessment", "assessments"),
                                ("new-information", "new-information"),
                                ("child-search", "child-search"),
                                ("duplicate", "duplicates"), ("break-glass", "break-glass"),
                                ("merge", "merges"), ("household", "households"),
                                ("child-person", "child-people"))},
    "frontdoor-api:contact-detail": Access("/api/v1/contacts/{contact}/"),
    "frontdoor-api:referral-detail": Access("/api/v1/referrals/{referral}/"),
    "frontdoor-api:assessment-detail": Access("/api/v1/assessments/{assessment}/"),
    "frontdoor-api:household-detail": Access("/api/v1/households/{household}/"),
    "frontdoor-api:child-person-detail": Access("/api/v1/child-people/{child_person}/"),
    "frontdoor-api:merge-detail": Access("/api/v1/merges/0/", outsider=None,
                                         ok=404, refused=API_ANON),
    **{f"frontdoor-api:{name}": Access(path, ok=405, outsider=None, refused=API_ANON)
       for name, path in (
           ("contact-decide", "/api/v1/contacts/{contact}/decide/"),
           ("referral-acknowledge", "/api/v1/referrals/{referral}/acknowledge/"),
           ("referral-allocate", "/api/v1/referrals/{referral}/allocate/"),
           ("referral-close", "/api/v1/referrals/{referral}/close/"),
           ("assessment-complete", "/api/v1/assessments/{assessment}/complete/"),
           ("assessment-authorise", "/api/v1/assessments/{assessment}/authorise/"))},
}

# --- lifeevents (missing, deaths, orders, complaints, letters, transfers): rules and
# placeholders in tests.lifeevents.walk.
from tests.lifeevents.walk import access_rules as _lifeevents_rules  # noqa: E402

ACCESS.update(_lifeevents_rules(Access, ANON, API_ANON))

# --- returns (CIN census, Annex A, readiness; issue 16): rules in tests.returns.walk.
from tests.returns.walk import access_rules as _returns_rules  # noqa: E402

ACCESS.update(_returns_rules(Access, ANON, API_ANON))

# Django's admin is for administrators only (is_staff); it has its own login.
EXCLUDED_PREFIXES = ("admin/",)


def _walk(patterns: list, prefix: str = "", namespace: str | None = None
          ) -> Iterator[tuple[str, str]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace
            full_ns = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), full_ns)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace else str(pattern.name)
            yield name, prefix + str(pattern.pattern)


def all_routes() -> dict[str, str]:
    return {name: route for name, route in _walk(get_resolver().url_patterns)
            if not route.startswith(EXCLUDED_PREFIXES)}


def test_every_route_has_an_access_rule() -> None:
    missing = sorted(set(all_routes()) - set(ACCESS))
    assert not missing, f"Routes without an access test: {missing}. Add them to ACCESS."


def _client_for(request: pytest.FixtureRequest, persona: str | None) -> Client:
    client = Client()
    if persona:
        client.force_login(request.getfixturevalue(persona))
    return client


def _placeholders(request: pytest.FixtureRequest, path: str, child: object) -> dict[str, int]:
    """Objects other than the child that a path names, built for the walk's child by the
    app that owns them."""
    from tests.chronology.walk import WALK_PLACEHOLDERS as CHRONOLOGY_PLACEHOLDERS
    from tests.conferences.factories import WALK_PLACEHOLDERS
    from tests.deadlines.walk import WALK_PLACEHOLDERS as DEADLINE_PLACEHOLDERS
    from tests.documents.walk import WALK_PLACEHOLDERS as DOCUMENT_PLACEHOLDERS
    from tests.frontdoor.walk import WALK_PLACEHOLDERS as FRONTDOOR_PLACEHOLDERS
    from tests.lifeevents.walk import WALK_PLACEHOLDERS as LIFE_PLACEHOLDERS
    from tests.outcomes.walk import WALK_PLACEHOLDERS as OUTCOME_PLACEHOLDERS
    from tests.plans.walk import WALK_PLACEHOLDERS as PLAN_PLACEHOLDERS
    from tests.returns.walk import WALK_PLACEHOLDERS as RETURNS_PLACEHOLDERS
    from tests.strategy.walk import WALK_PLACEHOLDERS as STRATEGY_PLACEHOLDERS

    builders = {**WALK_PLACEHOLDERS, **STRATEGY_PLACEHOLDERS, **DEADLINE_PLACEHOLDERS,
                **PLAN_PLACEHOLDERS, **CHRONOLOGY_PLACEHOLDERS, **OUTCOME_PLACEHOLDERS,
                **FRONTDOOR_PLACEHOLDERS, **LIFE_PLACEHOLDERS, **DOCUMENT_PLACEHOLDERS,
                **RETURNS_PLACEHOLDERS}
    return {key: build(request, child) for key, build in builders.items()
            if "{" + key + "}" in path}


@pytest.mark.parametrize("name", sorted(ACCESS))
def test_route_admits_the_insider_and_refuses_the_outsider(
        name: str, request: pytest.FixtureRequest, child, other_team_child) -> None:
    from tests.factories import ChildPersonFactory

    access = ACCESS[name]
    link = ChildPersonFactory(child=child, person__authority=child.authority)
    path = access.path.format(child=child.pk, person=link.person_id,
                              **_placeholders(request, access.path, child))

    insider = getattr(_client_for(request, access.insider), access.method)(path)
    assert insider.status_code == access.ok, f"{name}: insider got {insider.status_code}"

    outsider = getattr(_client_for(request, access.outsider), access.method)(path)
    assert outsider.status_code in access.refused, (
        f"{name}: outsider {access.outsider or 'anonymous'} got {outsider.status_code}")


@pytest.mark.parametrize("name", sorted(n for n, a in ACCESS.items()
                                        if a.path.startswith("/children/{child}/")))
def test_refusal_to_open_a_child_is_logged(name: str, request: pytest.FixtureRequest,
                                           child: Child) -> None:
    access = ACCESS[name]
    _client_for(request, access.outsider).get(
        access.path.format(child=child.pk, **_placeholders(request, access.path, child)))
    refusal = AccessEvent.objects.get(child_id=child.pk, action=AccessAction.REFUSED)
    assert refusal.user == request.getfixturevalue(access.outsider)


def test_admin_site_is_refused_to_everyone_but_administrators(client, sw, admin_user) -> None:
    client.force_login(sw)
    assert client.get("/admin/").status_code == 302
    client.force_login(admin_user)
    assert client.get("/admin/").status_code == 200


def test_every_api_route_refuses_anonymous_callers() -> None:
    """The API has no public endpoint: each one answers 401/403 without credentials."""
    anonymous = Client()
    for name, access in ACCESS.items():
        if access.path.startswith("/api/") and "{" not in access.path:
            status = getattr(anonymous, access.method)(access.path).status_code
            assert status in API_ANON, f"{name}: anonymous caller got {status}"
