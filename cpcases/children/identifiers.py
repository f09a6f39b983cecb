"""The identifiers and characteristics the Children in Need census and Annex A need, with their
check digits (RETURNS.md §2; DfE CIN census specification 2025-26).

Each validator raises ValidationError with a message naming the field, so a form shows it
next to the box and keeps what was typed.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models


class UpnUnknown(models.TextChoices):
    """CIN census UPNunknown reasons (rule 8772: UN7 for a referral with no further action)."""

    UN1 = "UN1", "Child is not of school age and has not yet had a UPN allocated"
    UN2 = "UN2", "Child is of school age and has not yet had a UPN allocated"
    UN3 = "UN3", "Child lives outside England and has not been allocated a UPN"
    UN4 = "UN4", "UPN not yet obtained from the school"
    UN5 = "UN5", "Sources collating UPNs reflect a discrepancy"
    UN6 = "UN6", "Child is an unborn baby"
    UN7 = "UN7", "Referral with no further action"


class Disability(models.TextChoices):
    """CIN census disability codes (NONE alone, rule 8790; no duplicates, rule 8794)."""

    NONE = "NONE", "No disability"
    MOB = "MOB", "Mobility"
    HAND = "HAND", "Hand function"
    PC = "PC", "Personal care"
    INC = "INC", "Incontinence"
    COMM = "COMM", "Communication"
    LD = "LD", "Learning"
    HEAR = "HEAR", "Hearing"
    VIS = "VIS", "Vision"
    BEH = "BEH", "Behaviour"
    CON = "CON", "Consciousness"
    AUT = "AUT", "Autism or Asperger syndrome"
    DDA = "DDA", "Other disability under the Equality Act"


def normalise_nhs_number(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "")


def nhs_number_is_valid(value: str) -> bool:
    """NHS number: 10 digits, the last a modulus 11 check digit (weights 10..2; 11 → 0,
    10 → invalid)."""
    digits = normalise_nhs_number(value)
    if not re.fullmatch(r"\d{10}", digits):
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def validate_nhs_number(value: str) -> None:
    if value and not nhs_number_is_valid(value):
        raise ValidationError(
            "NHS number must be 10 digits and its last digit must match the check digit: "
            "check it has been copied correctly", code="nhs_number")


UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # 23 letters: no I, O or S
_UPN_SHAPE = re.compile(rf"[{UPN_LETTERS}]\d{{11}}[\d{UPN_LETTERS}]")


def upn_check_letter(rest: str) -> str:
    """The check letter of a UPN from its characters 2-13 (census rules 1510/1530): the sum
    of each character's value times its position (2-13), mod 23, as a letter. A letter in
    position 13 (a temporary UPN) counts as its index in the 23 letters."""
    total = 0
    for position, char in enumerate(rest.upper(), start=2):
        total += (int(char) if char.isdigit() else UPN_LETTERS.index(char)) * position
    return UPN_LETTERS[total % 23]


def upn_is_valid(value: str) -> bool:
    upn = (value or "").strip().upper()
    return bool(_UPN_SHAPE.fullmatch(upn)) and upn_check_letter(upn[1:]) == upn[0]


def validate_upn(value: str) -> None:
    if value and not upn_is_valid(value):
        raise ValidationError(
            "Unique pupil number must be 13 characters: a check letter, the 3-digit local "
            "authority number, 8 digits and a final digit or letter, with a check letter "
            "that matches", code="upn")


def validate_disabilities(values: list[str]) -> None:
    """Census rules 8790 and 8794: "No disability" alone; each code once."""
    if len(set(values)) != len(values):
        raise ValidationError("Choose each disability once", code="disability_duplicate")
    if Disability.NONE in values and len(values) > 1:
        raise ValidationError("Choose \"No disability\" on its own, or the disabilities",
                              code="disability_none_alone")
