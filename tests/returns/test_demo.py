"""`seed_demo` gives a 2025-26 census that validates and breaks no rule, and Annex A lists
with rows (issue 16 point 6; docs/decisions.md)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from lxml import etree
from openpyxl import load_workbook

from cpcases.children.models import Child
from returns.census import build_census
from returns.periods import census_period
from returns.rules import check_census
from tests.returns.test_census import census_xsd

pytestmark = pytest.mark.django_db


def test_seed_demo_census_validates_and_annex_a_lists_have_rows(tmp_path) -> None:
    call_command("seed_demo", stdout=io.StringIO())
    out = tmp_path / "census.xml"
    call_command("cin_census", "--output", str(out), stdout=io.StringIO())  # default: 2026
    document = etree.parse(str(out))
    schema = census_xsd(tmp_path)
    assert schema.validate(document), schema.error_log
    assert document.findtext("Header/CollectionDetails/Year") == "2026"
    assert len(document.findall("Children/Child")) >= 4
    built = build_census(Child.objects.all(), census_period(2026))
    assert [f.rule for f in check_census(built)] == []
    for number in (5, 7):
        listing = tmp_path / f"list{number}.xlsx"
        call_command("annex_a", "--list", str(number), "--end", "2026-03-31",
                     "--output", str(listing), stdout=io.StringIO())
        assert load_workbook(listing).active.max_row >= 3
