"""Ofsted Annex A lists 5 and 7 (issue 16 point 3): Ofsted's columns, dd/mm/yyyy dates,
letter-prefixed codes, as .xlsx and .csv; bad input refused with the reason."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from returns.annex_a import LIST_5_COLUMNS, LIST_7_COLUMNS
from returns.models import ReturnExport

pytestmark = pytest.mark.django_db


def _shown(cell: object) -> object:
    """What the spreadsheet shows: dates as dd/mm/yyyy (checked against the cell's format)."""
    if isinstance(cell.value, dt.datetime):
        assert cell.number_format == "DD/MM/YYYY"
        return f"{cell.value:%d/%m/%Y}"
    return cell.value


def _rows(path: Path) -> list[dict[str, object]]:
    sheet = load_workbook(path).active
    rows = [[_shown(c) for c in row] for row in sheet.iter_rows()]
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def _year_to_march(path: Path, number: int) -> None:
    call_command("annex_a", "--list", str(number), "--end", "2026-03-31", "--months", "12",
                 "--output", str(path))


def test_list_5_has_ofsteds_columns_and_a_row_per_enquiry(org, demo, tmp_path) -> None:
    out = tmp_path / "list5.xlsx"
    _year_to_march(out, 5)
    sheet = load_workbook(out).active
    assert [c.value for c in sheet[1]] == LIST_5_COLUMNS
    rows = {r["Child Unique ID"]: r for r in _rows(out)}
    assert sorted(rows) == ["RET2501", "RET2502"]
    freya = rows["RET2501"]
    assert freya["Gender"] == "b) Female"
    assert freya["Ethnicity"] == "a) WBRI"
    assert freya["Date of Birth"] == "11/02/2016"
    assert freya["Age of Child (Years)"] == 10
    assert freya["Does the Child have a Disability"] == "b) No"
    assert freya["Strategy discussion initiating Section 47 Enquiry Start Date"] == "08/05/2025"
    assert freya["Was an Initial Child Protection Conference deemed unnecessary?"] == "b) No"
    assert freya["Date of Initial Child Protection Conference"] == "29/05/2025"
    assert freya["Did the Initial Child Protection Conference Result in a Child Protection "
                 "Plan"] == "Yes"
    assert freya["Number of Section 47 Enquiries in the last 12 months"] == 1
    assert freya["Number of ICPCs in the last 12 months"] == 1
    assert freya["Allocated Team"] == "North Assessment Team"
    owen = rows["RET2502"]
    assert owen["Was an Initial Child Protection Conference deemed unnecessary?"] == "a) Yes"
    assert owen["Date of Initial Child Protection Conference"] is None
    assert owen["Ethnicity"] == "f) MWBC"
    assert owen["Gender"] == "a) Male"


def test_list_7_has_a_row_per_plan_open_in_the_window(org, demo, tmp_path) -> None:
    out = tmp_path / "list7.xlsx"
    _year_to_march(out, 7)
    assert [c.value for c in load_workbook(out).active[1]] == LIST_7_COLUMNS
    rows = {r["Child Unique ID"]: r for r in _rows(out)}
    assert sorted(rows) == ["RET2501", "RET2504"]
    jay = rows["RET2504"]
    assert jay["Child Protection Plan Start Date"] == "25/11/2024"
    assert jay["Child Protection Plan End Date"] == "11/08/2025"
    assert jay["Initial Category of Abuse"] == "b) Physical abuse"
    assert jay["Latest Category of Abuse"] == "b) Physical abuse"
    assert jay["Date of latest review conference"] == "11/08/2025"
    assert jay["Does the Child have a Disability"] == "a) Yes"
    assert jay["Number of Previous Child Protection Plans"] == 0
    key = ("Subject to Emergency Protection Order or Protected Under Police Powers in Last "
           "Six Months (Y/N)")
    assert jay[key] == "No"
    assert rows["RET2501"]["Latest Category of Abuse"] == "a) Neglect"
    assert rows["RET2501"]["Child Protection Plan End Date"] is None


def test_csv_has_the_same_columns_and_dates(org, demo, tmp_path) -> None:
    out = tmp_path / "list5.csv"
    _year_to_march(out, 5)
    reader = csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig")))
    header, *rows = list(reader)
    assert header == LIST_5_COLUMNS
    assert {r[6] for r in rows} == {"08/05/2025", "15/09/2025"}


def test_six_month_window_leaves_out_earlier_enquiries(org, demo, tmp_path) -> None:
    out = tmp_path / "list5.xlsx"
    call_command("annex_a", "--list", "5", "--end", "2025-12-31", "--months", "6",
                 "--output", str(out))
    assert [r["Child Unique ID"] for r in _rows(out)] == ["RET2502"]


@pytest.mark.parametrize(("args", "message"), [
    (["--list", "2"], "--list: List 2 is not available: choose list 1, 3, 4, 5, 6 or 7"),
    (["--list", "5", "--end", "2027-01-01"], "--end: .*must be today or in the past"),
    (["--list", "5", "--months", "9"], "--months: The period must be 6 or 12 months"),
    (["--list", "5", "--end", "31/03/2026"], "--end must be a date like 2026-03-31"),
])
def test_bad_input_exits_with_the_reason_and_writes_nothing(org, demo, tmp_path, args,
                                                            message) -> None:
    with pytest.raises(CommandError, match=message):
        call_command("annex_a", *args, "--output", str(tmp_path / "list.xlsx"))
    assert list(tmp_path.iterdir()) == []
    assert not ReturnExport.objects.exists()


def test_output_must_be_xlsx_or_csv(org, demo, tmp_path) -> None:
    with pytest.raises(CommandError,
                       match=r"--output: the output file must end in \.xlsx or \.csv"):
        call_command("annex_a", "--list", "5", "--output", str(tmp_path / "list.pdf"))
    assert list(tmp_path.iterdir()) == []


def test_list_3_referrals_with_source_and_earlier_referrals(org, demo, tmp_path) -> None:
    from returns.annex_a import LIST_3_COLUMNS

    out = tmp_path / "list3.xlsx"
    _year_to_march(out, 3)
    assert [c.value for c in load_workbook(out).active[1]] == LIST_3_COLUMNS
    rows = {r["Child Unique ID"]: r for r in _rows(out)}
    assert sorted(rows) == ["RET2501", "RET2502", "RET2503"]  # Jay's is from 2024
    assert rows["RET2501"]["Referral Source"] == "q) 6: Police"
    assert rows["RET2501"]["Date of Referral"] == "06/05/2025"
    assert rows["RET2503"]["Referral NFA?"] == "Yes"
    assert rows["RET2502"]["Referral NFA?"] == "No"
    assert rows["RET2501"]["Number of Referrals in Last 12 Months"] == 0


def test_list_4_assessments_open_in_the_window(org, demo, tmp_path) -> None:
    out = tmp_path / "list4.xlsx"
    _year_to_march(out, 4)
    rows = {r["Child Unique ID"]: r for r in _rows(out)}
    assert sorted(rows) == ["RET2501", "RET2502"]  # Jay's was authorised in 2024
    freya = rows["RET2501"]
    assert freya["Continuous Assessment Start Date"] == "07/05/2025"
    assert freya["Continuous Assessment Date of Authorisation"] == "10/06/2025"
    assert freya["Was the child assessed as requiring LA children's social care support?"] \
        == "Yes"
    assert freya["Child Seen During Continuous Assessment"] == "No"


def test_list_6_children_in_need_with_status_and_closure(org, demo, tmp_path) -> None:
    out = tmp_path / "list6.csv"
    _year_to_march(out, 6)
    reader = csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig")))
    rows = {r["Child Unique ID"]: r for r in reader}
    assert sorted(rows) == ["RET2501", "RET2502", "RET2504"]  # not the NFA referral
    assert rows["RET2501"]["Case Status"] == "b) Child protection plan"
    assert rows["RET2504"]["Case Status"] == "c) Child in need plan"
    assert rows["RET2502"]["CIN Closure Date"] == "20/11/2025"
    assert rows["RET2502"]["Reason for Closure"].startswith("RC7 - ")
    assert rows["RET2501"]["Primary Need Code"] == "N1 - Abuse or neglect"


def test_list_1_contacts_with_lettered_source(org, sw, tmp_path) -> None:
    from django.utils import timezone

    from frontdoor import services
    from frontdoor.models import Consent, FrontDoorTeam, ReferralSource
    from tests.factories import ChildFactory

    FrontDoorTeam.objects.get_or_create(team=sw.team)
    child = ChildFactory(authority=org.authority, la_child_id="C77")
    services.contact_record(actor=sw, received_at=timezone.now() - dt.timedelta(days=3),
                            source=ReferralSource.HEALTH_VISITOR, concern="Weight falling",
                            consent=Consent.GIVEN, children=[child])
    out = tmp_path / "list1.xlsx"
    call_command("annex_a", "--list", "1", "--months", "6", "--output", str(out))
    (row,) = _rows(out)
    assert row["Child Unique ID"] == "C77"
    assert row["Date of Contact"] == "30/11/2026"
    assert row["Contact Source"] == "h) 3B: Health: health visitor"


def test_list_7_last_visit_seen_alone_and_police_protection(org, demo, tmp_path) -> None:
    from cpcases.accounts.models import User
    from cpcases.children.models import Child
    from cpcases.chronology.models import Visit
    from lifeevents.models import LegalOrder, OrderKind

    freya = Child.objects.get(la_child_id="RET2501")
    sam = User.objects.get(username="sw.sam")
    for day, seen, alone in (("2026-02-02", True, False), ("2026-03-10", True, True),
                             ("2026-03-20", False, None)):  # the last: not seen
        Visit.objects.create(child=freya, visited_by=sam, child_seen=seen, seen_alone=alone,
                             visited_at=dt.datetime.fromisoformat(f"{day}T10:00+00:00"))
    LegalOrder.objects.create(child=freya, kind=OrderKind.POLICE_PROTECTION,
                              starts_on=dt.date(2026, 1, 5), ended_on=dt.date(2026, 1, 7))
    out = tmp_path / "list7.xlsx"
    _year_to_march(out, 7)
    row = next(r for r in _rows(out) if r["Child Unique ID"] == "RET2501")
    assert row["Date of the Last Statutory Visit"] == "10/03/2026"
    assert row["Was the Child Seen Alone?"] == "a) Yes"
    assert row["Subject to Emergency Protection Order or Protected Under Police Powers in "
               "Last Six Months (Y/N)"] == "Yes"
