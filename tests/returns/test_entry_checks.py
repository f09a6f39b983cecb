"""Census rules checked where the data is entered (issue 16 point 2, first step)."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def _unborn(org, sex: str) -> dict[str, object]:
    return {"la_child_id": "U9", "team": org.team_a.pk, "first_name": "", "last_name": "Fox",
            "is_unborn": "on", "expected_delivery_date_0": "20",
            "expected_delivery_date_1": "4", "expected_delivery_date_2": "2027", "sex": sex,
            "ethnicity": "NOBT", "first_language": "English"}


def test_unborn_baby_recorded_as_female_is_refused_beside_sex(client, sw, org) -> None:
    client.force_login(sw)
    response = client.post("/children/new/", _unborn(org, "F"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Select &quot;Not known&quot; for an unborn baby" in page
    assert 'href="#id_sex' in page
    assert 'value="Fox"' in page  # what was typed is kept


def test_unborn_baby_with_sex_not_known_is_accepted(client, sw, org) -> None:
    client.force_login(sw)
    assert client.post("/children/new/", _unborn(org, "U")).status_code == 302
