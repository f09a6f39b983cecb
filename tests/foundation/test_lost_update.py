"""No lost updates (Foundation §9): the second of two concurrent edits is refused with a clear
message showing what changed, and loses nothing the user typed."""

from __future__ import annotations

import pghistory
import pytest

from cpcases.children import services
from cpcases.core.concurrency import EditConflict
from tests.foundation.test_audit import _form_data

pytestmark = pytest.mark.django_db


def test_second_save_from_a_stale_version_is_refused_with_what_changed(sw, tm, child) -> None:
    read_version = child.version
    with pghistory.context(user=tm.pk):
        services.child_update(user=tm, child=child, expected_version=read_version,
                              data={"first_language": "Polish"})
    with pytest.raises(EditConflict) as refused:
        services.child_update(user=sw, child=child, expected_version=read_version,
                              data={"first_language": "English", "address": "New address"})
    (change,) = [c for c in refused.value.changes if c.field == "first_language"]
    assert (change.before, change.theirs, change.yours) == ("English", "Polish", "English")
    child.refresh_from_db()
    assert child.first_language == "Polish"
    assert child.address != "New address"


def test_edit_page_shows_the_conflict_and_keeps_what_was_typed(client, sw, tm, child) -> None:
    stale = _form_data(child)
    services.child_update(user=tm, child=child, expected_version=child.version,
                          data={"first_language": "Polish"})
    client.force_login(sw)
    response = client.post(f"/children/{child.pk}/edit/",
                           {**stale, "address": "My long careful note of the address"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "changed this record after you opened it" in page
    assert "Polish" in page
    assert "My long careful note of the address" in page
    # The form now carries the current version: saving again keeps the user's change.
    child.refresh_from_db()
    again = client.post(f"/children/{child.pk}/edit/", {
        **stale, "first_language": "Polish", "version": str(child.version),
        "address": "My long careful note of the address"})
    assert again.status_code == 302
    child.refresh_from_db()
    assert child.address == "My long careful note of the address"


def test_sequential_edits_by_the_same_person_both_save(sw, child) -> None:
    services.child_update(user=sw, child=child, expected_version=child.version,
                          data={"gender": "Girl"})
    child.refresh_from_db()
    services.child_update(user=sw, child=child, expected_version=child.version,
                          data={"gender": "Female"})
    child.refresh_from_db()
    assert child.gender == "Female"
    assert child.version == 3


def test_after_a_conflict_saving_again_keeps_both_peoples_changes(client, sw, tm, child) -> None:
    stale = _form_data(child)
    services.child_update(user=tm, child=child, expected_version=child.version,
                          data={"first_language": "Polish"})
    client.force_login(sw)
    refused = client.post(f"/children/{child.pk}/edit/", {**stale, "address": "New address"})
    form = refused.context["form"]
    # The manager's change is taken into the form; the social worker's typing is kept.
    assert form["first_language"].value() == "Polish"
    assert form["address"].value() == "New address"
    resubmitted = {key: form[key].value() for key in ("first_name", "last_name", "sex",
                                                      "ethnicity", "first_language", "address",
                                                      "postcode", "version")}
    dob = child.date_of_birth
    again = client.post(f"/children/{child.pk}/edit/", {
        **resubmitted, "date_of_birth_0": dob.day, "date_of_birth_1": dob.month,
        "date_of_birth_2": dob.year})
    assert again.status_code == 302
    child.refresh_from_db()
    assert (child.first_language, child.address) == ("Polish", "New address")
