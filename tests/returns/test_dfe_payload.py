"""The DfE children's social care API payload (issue 16 point 4, RETURNS.md §5): one JSON
record per child, full or changed only, as a file and from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cpcases.audit.models import AccessAction, AccessEvent
from cpcases.children.models import Child
from returns.dfe.models import DfeBatch, DfeChildSent, DfeMode
from returns.dfe.payload import PayloadError, api_window, build_payload
from returns.models import ReturnExport

pytestmark = pytest.mark.django_db


def _write(tmp_path: Path, *args: str) -> list[dict]:
    out = tmp_path / "payload.json"
    call_command("dfe_payload", "--output", str(out), *args)
    return json.loads(out.read_text())


def _by_id(records: list[dict]) -> dict[str, dict]:
    return {r["la_child_id"]: r for r in records}


def test_window_runs_from_april_two_years_back_to_tomorrow() -> None:
    import datetime as dt

    window = api_window(dt.date(2026, 12, 3))
    assert (window.start, window.reference_date) == (dt.date(2024, 4, 1), dt.date(2026, 12, 4))


def test_payload_has_a_record_per_child_in_the_dfe_shape(org, demo, tmp_path) -> None:
    records = _by_id(_write(tmp_path))
    assert sorted(records) == ["RET2501", "RET2502", "RET2503", "RET2504"]
    freya = records["RET2501"]
    assert set(freya) == {"la_code", "la_child_id", "mis_child_id", "purge", "child_details",
                          "health_and_wellbeing", "social_care_episodes"}
    details = freya["child_details"]
    assert (details["first_name"], details["surname"], details["date_of_birth"],
            details["sex"], details["ethnicity"], details["disabilities"]) == (
        "Freya", "Lane", "2016-02-11", "F", "WBRI", [])
    episode = freya["social_care_episodes"][0]
    assert (episode["referral_date"], episode["referral_source"],
            episode["referral_no_further_action_flag"]) == ("2025-05-06", "6", False)
    s47 = episode["section_47_assessments"][0]
    assert (s47["start_date"], s47["icpc_required_flag"], s47["icpc_date"]) == (
        "2025-05-08", True, "2025-05-29")
    plan = episode["child_protection_plans"][0]
    assert (plan["start_date"], plan["end_date"]) == ("2025-05-29", None)
    assert set(plan) == {"child_protection_plan_id", "start_date", "end_date", "purge"}
    assert len(plan["child_protection_plan_id"]) <= 36


def test_enquiry_not_substantiated_needs_no_conference_and_the_closure_is_sent(
        org, demo, tmp_path) -> None:
    owen = _by_id(_write(tmp_path))["RET2502"]["social_care_episodes"][0]
    assert (owen["closure_date"], owen["closure_reason"]) == ("2025-11-20", "RC7")
    s47 = owen["section_47_assessments"][0]
    assert (s47["icpc_required_flag"], s47["end_date"]) == (False, "2025-09-22")


def test_changed_only_leaves_out_children_sent_as_they_are_now(org, demo, tmp_path) -> None:
    payload = build_payload(Child.objects.filter(authority=org.authority))
    batch = DfeBatch.objects.create(authority=org.authority, mode=DfeMode.FULL)
    from django.utils import timezone

    DfeChildSent.objects.bulk_create(
        DfeChildSent(child_id=r.child_id, payload_hash=r.payload_hash, batch=batch,
                     sent_at=timezone.now()) for r in payload.records)
    assert _write(tmp_path, "--changed-only") == []
    Child.objects.filter(la_child_id="RET2502").update(postcode="AN1 1AA")
    changed = _write(tmp_path, "--changed-only")
    assert [r["la_child_id"] for r in changed] == ["RET2502"]
    assert changed[0]["child_details"]["postcode"] == "AN1 1AA"
    assert len(_write(tmp_path)) == 4  # full: everyone, changed or not


def test_writing_the_file_is_recorded_with_every_child_and_marks_nobody_sent(
        org, demo, tmp_path) -> None:
    _write(tmp_path)
    export = ReturnExport.objects.get(kind="dfe_payload")
    assert export.children_count == 4
    assert AccessEvent.objects.filter(action=AccessAction.EXPORT,
                                      detail__export=export.pk).count() == 4
    assert not DfeChildSent.objects.exists()


def test_progress_is_reported_up_to_every_child(org, demo) -> None:
    calls: list[tuple[int, int]] = []
    build_payload(Child.objects.filter(authority=org.authority),
                  progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (0, 4)
    assert calls[-1] == (4, 4)


def test_an_unknown_mode_is_refused_in_plain_words(org) -> None:
    with pytest.raises(PayloadError, match="Choose every child"):
        build_payload(Child.objects.none(), mode="some")


@pytest.mark.parametrize(("args", "message"), [
    (("--output", "payload.csv"), "must end in .json"),
    (("--output", "/no/such/folder/payload.json"), "Could not write"),
])
def test_bad_input_exits_with_the_reason(org, demo, args, message) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("dfe_payload", *args)
    assert not ReturnExport.objects.exists()


def test_query_count_does_not_grow_with_the_caseload(org, demo) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.returns.test_query_counts import _copy_demo

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            build_payload(Child.objects.filter(authority=org.authority), mode=DfeMode.CHANGED)
        return len(ctx)

    small = queries()
    _copy_demo(org, demo, "A")
    _copy_demo(org, demo, "B")
    assert build_payload(Child.objects.filter(authority=org.authority)).cohort == 12
    assert queries() == small


def test_a_child_with_no_referral_on_record_is_sent_with_an_unknown_source(org, demo,
                                                                          tmp_path) -> None:
    import datetime as dt

    from cpcases.accounts.models import User
    from cpcases.plans.models import ChildProtectionPlan
    from tests.factories import ChildFactory

    child = ChildFactory(authority=org.authority, la_child_id="OLD0009",
                         date_of_birth=dt.date(2015, 1, 1))
    ChildProtectionPlan.objects.create(
        authority=org.authority, child=child, started_on=dt.date(2024, 6, 3), category="NEG",
        lead_social_worker=User.objects.get(username="sw.sam"))
    episode = _by_id(_write(tmp_path))["OLD0009"]["social_care_episodes"][0]
    assert (episode["social_care_episode_id"], episode["referral_source"],
            episode["referral_date"]) == (f"U{child.pk}", "10", "2024-06-03")
