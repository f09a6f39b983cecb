"""The CIN census XML (issue 16 point 1): validates against the DfE schema, carries the
engine's ICPC due date and the links RETURNS.md §2-3 describe."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from lxml import etree

from cpcases.audit.models import AccessAction, AccessEvent
from deadlines.models import Deadline
from returns import services
from returns.census import build_census
from returns.models import ReturnExport
from returns.periods import census_period
from returns.rules import check_census
from strategy.models import Section47Enquiry

pytestmark = pytest.mark.django_db


def census_xsd(tmp_path: Path) -> etree.XMLSchema:
    """The 2024 census XSD shipped in liiatools, with GenderCurrent replaced by the 2024-25
    Sex element (M/F/U, RETURNS.md §1) and NumberOfPreviousCPP allowing 0 (rule 8730: "0 or
    more"; the liiatools copy says positiveInteger). Patched on a copy: nothing third-party
    is committed."""
    import liiatools

    source = Path(liiatools.__file__).parent / "spec" / "cin_census" / "CIN_schema_2024.xsd"
    text = source.read_text()
    assert '<xs:element name="GenderCurrent" type="gendertype"' in text
    text = text.replace('<xs:element name="GenderCurrent" type="gendertype"',
                        '<xs:element name="Sex" type="sextype"')
    text = text.replace('<xs:simpleType name="gendertype">', '''<xs:simpleType name="sextype">
    <xs:restriction base="xs:string"><xs:enumeration value="M"/><xs:enumeration value="F"/>
    <xs:enumeration value="U"/></xs:restriction></xs:simpleType>
  <xs:simpleType name="gendertype">''')
    text = text.replace('name="NumberOfPreviousCPP" type="xs:positiveInteger"',
                        'name="NumberOfPreviousCPP" type="xs:nonNegativeInteger"')
    patched = tmp_path / "CIN_schema_2024_sex.xsd"
    patched.write_text(text)
    return etree.XMLSchema(etree.parse(str(patched)))


def _export(org, tmp_path: Path) -> tuple[etree._Element, Path]:
    out = tmp_path / "census.xml"
    call_command("cin_census", "--year", "2026", "--output", str(out))
    return etree.parse(str(out)).getroot(), out


def _child(root: etree._Element, la_child_id: str) -> etree._Element:
    return root.xpath(f"//Child[ChildIdentifiers/LAchildID='{la_child_id}']")[0]


def test_demo_census_validates_against_the_census_schema(org, demo, tmp_path) -> None:
    root, out = _export(org, tmp_path)
    schema = census_xsd(tmp_path)
    assert schema.validate(etree.parse(str(out))), schema.error_log
    assert root.findtext("Header/CollectionDetails/ReferenceDate") == "2026-03-31"
    assert sorted(root.xpath("//LAchildID/text()")) == ["RET2501", "RET2502", "RET2503",
                                                         "RET2504"]


def test_the_schema_refuses_a_census_with_elements_out_of_order(org, demo, tmp_path) -> None:
    root, _ = _export(org, tmp_path)
    details = root.xpath("//CINdetails")[0]
    nfa = details.find("ReferralNFA")
    details.remove(nfa)
    details.insert(0, nfa)
    assert not census_xsd(tmp_path).validate(etree.ElementTree(root))


def test_demo_census_breaks_none_of_the_census_rules(org, demo) -> None:
    from cpcases.children.models import Child

    built = build_census(Child.objects.filter(authority=org.authority),
                         census_period(2026))
    assert [(f.rule, f.child.la_child_id if f.child else None)
            for f in check_census(built)] == []


def test_initial_conference_target_is_the_engines_icpc_due_date(org, demo, tmp_path) -> None:
    root, _ = _export(org, tmp_path)
    freya = _child(root, "RET2501")
    enquiry = Section47Enquiry.objects.get(child__la_child_id="RET2501")
    due = Deadline.objects.get(rule_id="icpc", object_id=enquiry.pk).due_date
    s47 = freya.find("CINdetails/Section47")
    assert s47.findtext("InitialCPCtarget") == due.isoformat()
    assert s47.findtext("S47ActualStartDate") == "2025-05-08"
    assert s47.findtext("DateOfInitialCPC") == "2025-05-29"
    assert s47.findtext("ICPCnotRequired") == "0"


def test_plan_starts_at_its_conference_with_reviews_and_previous_plans(org, demo,
                                                                       tmp_path) -> None:
    root, _ = _export(org, tmp_path)
    plan = _child(root, "RET2501").find("CINdetails/ChildProtectionPlans")
    assert [e.tag for e in plan] == ["CPPstartDate", "InitialCategoryOfAbuse",
                                     "LatestCategoryOfAbuse", "NumberOfPreviousCPP", "Reviews"]
    assert plan.findtext("CPPstartDate") == "2025-05-29"
    assert plan.xpath("Reviews/CPPreviewDate/text()") == ["2025-08-28", "2026-02-26"]
    assert plan.findtext("NumberOfPreviousCPP") == "0"
    assert plan.findtext("LatestCategoryOfAbuse") == "NEG"


def test_plan_ended_in_the_year_then_child_in_need_plan(org, demo, tmp_path) -> None:
    root, _ = _export(org, tmp_path)
    details = _child(root, "RET2504").find("CINdetails")
    assert details.findtext("ChildProtectionPlans/CPPstartDate") == "2024-11-25"
    assert details.findtext("ChildProtectionPlans/CPPendDate") == "2025-08-11"
    assert details.findtext("CINPlanDates/CINPlanStartDate") == "2025-08-11"
    # The enquiry and conference of November 2024 belong to an earlier year's return.
    assert details.find("Section47") is None


def test_enquiry_not_substantiated_needs_no_conference_and_case_closed(org, demo,
                                                                       tmp_path) -> None:
    root, _ = _export(org, tmp_path)
    details = _child(root, "RET2502").find("CINdetails")
    assert details.findtext("Section47/ICPCnotRequired") == "1"
    assert details.findtext("CINclosureDate") == "2025-11-20"
    assert details.findtext("ReasonForClosure") == "RC7"
    assert _child(root, "RET2502").findtext("ChildIdentifiers/Sex") == "M"


def test_referral_with_no_further_action(org, demo, tmp_path) -> None:
    root, _ = _export(org, tmp_path)
    poppy = _child(root, "RET2503")
    assert poppy.findtext("CINdetails/ReferralNFA") == "true"
    assert poppy.findtext("ChildIdentifiers/UPNunknown") == "UN7"
    assert _child(root, "RET2501").findtext("CINdetails/ReferralNFA") == "false"


def test_a_closure_after_the_year_end_is_not_in_the_return(org, demo, tmp_path) -> None:
    from frontdoor.models import Referral

    Referral.objects.filter(child__la_child_id="RET2501").update(
        closure_date=dt.date(2026, 6, 1), closure_reason="RC7")
    root, _ = _export(org, tmp_path)
    assert _child(root, "RET2501").find("CINdetails/CINclosureDate") is None


def test_export_is_recorded_with_every_child_it_names(org, demo, tmp_path) -> None:
    _export(org, tmp_path)
    record = ReturnExport.objects.get()
    assert record.children_count == 4
    assert record.user is None
    named = set(AccessEvent.objects.filter(action=AccessAction.EXPORT).values_list(
        "child_id", flat=True))
    assert named == set(record.authority.children.filter(
        la_child_id__startswith="RET").values_list("pk", flat=True))


@pytest.mark.parametrize(("year", "message"), [
    ("2027", "--year: The 2026-27 census period ends on 31 March 2027, which is in the "
             "future"),
    ("2024", "--year: Census year 2024 is not supported: choose 2025 or 2026"),
    ("2031", "--year: The 2030-31 census period ends on 31 March 2031, which is in the future"),
])
def test_bad_year_exits_with_the_reason_and_writes_nothing(org, demo, tmp_path, year,
                                                           message) -> None:
    out = tmp_path / "census.xml"
    with pytest.raises(CommandError, match=message):
        call_command("cin_census", "--year", year, "--output", str(out))
    assert list(tmp_path.iterdir()) == []
    assert not ReturnExport.objects.exists()


def test_a_failed_write_keeps_the_earlier_file_and_leaves_no_part(tmp_path,
                                                                   monkeypatch) -> None:
    target = tmp_path / "census.xml"
    target.write_bytes(b"earlier")

    def broken(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("os.fsync", broken)
    with pytest.raises(OSError, match="No space"):
        services.write_atomically(target, b"new census")
    assert target.read_bytes() == b"earlier"
    assert [p.name for p in tmp_path.iterdir()] == ["census.xml"]
