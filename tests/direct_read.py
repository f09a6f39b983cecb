"""Pin an API answer read by cpcases.core.serializing.DirectReadMixin to DRF's own (issue 13
§2): the same path asked twice, once with every DirectReadMixin serializer reading through
DRF's generic `Serializer.to_representation`, must answer the same bytes (values, types, key
order)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from rest_framework import serializers
from rest_framework.test import APIClient

from cpcases.children.api import ChildListSerializer
from cpcases.core.serializing import DirectReadMixin, WrittenRowsListSerializer


@contextmanager
def drf_reading() -> Iterator[None]:
    """Every DirectReadMixin serializer reads as DRF does, while in force; and the lists
    written out (the children API's by `listed_children`, every WrittenRowsListSerializer's)
    are read row by row by their serializers."""
    with mock.patch.object(DirectReadMixin, "to_representation",
                           serializers.Serializer.to_representation), \
            mock.patch.object(ChildListSerializer, "to_representation",
                              serializers.ListSerializer.to_representation), \
            mock.patch.object(WrittenRowsListSerializer, "to_representation",
                              serializers.ListSerializer.to_representation):
        yield


def assert_answers_as_drf(client: APIClient, path: str) -> bytes:
    fast = client.get(path)
    with drf_reading():
        drf = client.get(path)
    assert fast.status_code == drf.status_code, (path, fast.status_code)
    assert fast.content == drf.content, path
    return fast.content


def assert_written_out_as_drf(client: APIClient, path: str, module: Any, writer: str) -> Any:
    """`assert_answers_as_drf` for a list whose rows `module.writer` writes out: the answer
    is 200 and DRF's byte for byte, and the writer wrote each listed row (none for a
    record, which its serializer writes). The answer."""
    with mock.patch.object(module, writer, wraps=getattr(module, writer)) as written:
        fast = client.get(path)
    with drf_reading():
        drf = client.get(path)
    assert fast.status_code == drf.status_code == 200, path
    assert fast.content == drf.content, path
    data = json.loads(fast.content)
    listed = data.get("results") if isinstance(data, dict) else None
    assert written.call_count == (0 if listed is None else len(listed)), path
    return fast
