"""Choice values in one style at the API's boundary (issue 15 §5; docs/api.md "Values").

Every choice the API takes or gives is a lower-case word (`neglect`, `physical_abuse`).
A few choice sets keep other codes in the database because the pages, the returns and the
history use them (e.g. the plan category's `NEG`, the CIN census code); they are translated
here, at the serializer (and filter) boundary, not by a migration:

- `WordChoiceField` answers with the word and takes the word; for one release it also takes
  the old code (deprecated, docs/api-changelog.md 1.2.0) and turns it into the stored value.
- `WordChoiceFilter` does the same for a list's query parameter (`?category=neglect`).

Codes the DfE publishes for the census and exchanged as such with other systems (ethnicity,
disability, sex, UPN unknown, referral source, primary need, closure reason, assessment
factors) are not choices of ours: they are answered as published (docs/decisions.md §39).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import django_filters
from django import forms
from django.db.models import TextChoices
from rest_framework import serializers


class Words:
    """One choice set's API words: stored value → word, and back (old codes accepted)."""

    def __init__(self, choices: type[TextChoices], words: Mapping[str, str]) -> None:
        missing = set(choices.values) - set(words)
        if missing:
            raise ValueError(f"No API word for {sorted(missing)} of {choices.__name__}.")
        self.choices_class = choices
        self.to_word = dict(words)
        self.to_stored = {word: stored for stored, word in words.items()}
        self.labels = dict(choices.choices)

    @property
    def choices(self) -> list[tuple[str, str]]:
        """(word, label) pairs: the schema's enum (ENUM_NAME_OVERRIDES names it)."""
        return [(self.to_word[value], label) for value, label in self.choices_class.choices]

    def stored(self, value: str) -> str | None:
        """The stored value for a word or (deprecated) an old code; None if neither."""
        if value in self.to_stored:
            return self.to_stored[value]
        if value in self.to_word:  # the old code, accepted for one release
            return value
        return None

    def word(self, stored: str) -> str:
        return self.to_word.get(stored, stored)


class WordChoiceField(serializers.ChoiceField):
    """A ChoiceField whose values are `words`' lower-case words (the schema lists them);
    the old stored codes are still accepted on input for one release."""

    # Its representation is its words' alone (cpcases.core.serializing).
    reads_without_context = True

    def __init__(self, words: Words, **kwargs: Any) -> None:
        self.words = words
        super().__init__(choices=words.choices, **kwargs)

    def to_internal_value(self, data: Any) -> str:
        if data == "" and self.allow_blank:
            return ""
        stored = self.words.stored(str(data)) if isinstance(data, str) else None
        if stored is None:
            self.fail("invalid_choice", input=data)
        return stored

    def to_representation(self, value: Any) -> str:
        if value in ("", None):
            return value
        return self.words.word(str(value))


class _WordFormField(forms.ChoiceField):
    def __init__(self, *args: Any, words: Words, **kwargs: Any) -> None:
        self.words = words
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> str:
        value = super().to_python(value)
        return self.words.stored(value) or value if value else value

    def valid_value(self, value: str) -> bool:
        return value in self.words.to_word


class WordChoiceFilter(django_filters.ChoiceFilter):
    """`?field=<word>` (or, deprecated, the old code) on a list."""

    field_class = _WordFormField

    def __init__(self, *args: Any, words: Words, **kwargs: Any) -> None:
        kwargs.setdefault("choices", words.choices)
        super().__init__(*args, words=words, **kwargs)
