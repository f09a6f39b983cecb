"""The census identifiers: NHS number (modulus 11), UPN (check letter), disabilities."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from cpcases.children.forms import ChildForm
from cpcases.children.identifiers import (
    nhs_number_is_valid,
    upn_check_letter,
    upn_is_valid,
    validate_disabilities,
)


@pytest.mark.parametrize(("number", "valid"), [
    ("9434765919", True), ("943 476 5919", True), ("9434765918", False),
    ("943476591", False), ("abcdefghij", False),
    # A check digit of 10 is never issued.
    ("0000000060", False),
])
def test_nhs_number_modulus_11_check(number, valid):
    assert nhs_number_is_valid(number) is valid


def test_upn_check_letter_matches_the_census_algorithm():
    rest = "820200109002"  # LA 820, then 8 digits and a final digit
    total = sum(int(c) * w for c, w in zip(rest, range(2, 14), strict=True))
    letter = "ABCDEFGHJKLMNPQRTUVWXYZ"[total % 23]
    assert upn_check_letter(rest) == letter
    assert upn_is_valid(letter + rest)
    wrong = "A" if letter != "A" else "B"
    assert not upn_is_valid(wrong + rest)
    assert not upn_is_valid(letter + rest[:-1])  # 12 characters


def test_no_disability_is_chosen_alone_and_each_code_once():
    validate_disabilities(["MOB", "HEAR"])
    with pytest.raises(ValidationError):
        validate_disabilities(["NONE", "MOB"])
    with pytest.raises(ValidationError):
        validate_disabilities(["MOB", "MOB"])


@pytest.mark.django_db
def test_a_bad_nhs_check_digit_names_the_field_and_keeps_what_was_typed(child):
    data = {"first_name": "Alfie", "last_name": "Example", "date_of_birth_0": "17",
            "date_of_birth_1": "5", "date_of_birth_2": "2018", "sex": "M",
            "ethnicity": "WBRI", "first_language": "English", "nhs_number": "9434765918",
            "upn": "", "former_upn": "", "upn_unknown_reason": "UN4", "disabilities": ["MOB"]}
    form = ChildForm(data, instance=child)
    assert not form.is_valid()
    assert "check digit" in form.errors["nhs_number"][0]
    assert form["nhs_number"].value() == "9434765918"
    assert form["upn_unknown_reason"].value() == "UN4"
