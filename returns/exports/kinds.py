"""The kinds of export a job can run (issue 16 point 5). Each kind checks its parameters
(refusing bad ones with a PeriodError naming the field, point 7), builds the file with a
progress callback, and describes itself in plain words. Another kind (the DfE payload, say)
is added with one call:

    register(ExportKind("dfe_payload", "DfE children's social care data", clean=...,
                        build=..., describe=...))

`build` returns a returns.services.Built (content, filename, children named); the job
stores the file and records the export.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from cpcases.accounts.models import User
from returns import services
from returns.periods import (
    ANNEX_A_LISTS,
    PeriodError,
    annex_a_list,
    annex_a_window,
    census_period,
)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ExportKind:
    key: str
    label: str
    # (parameters as sent, today) -> the parameters kept on the job; PeriodError if bad.
    clean: Callable[[Mapping[str, Any], dt.date], dict[str, Any]]
    # (user, kept parameters, progress) -> the file built in memory.
    build: Callable[[User, dict[str, Any], Progress], services.Built]
    describe: Callable[[dict[str, Any]], str]


REGISTRY: dict[str, ExportKind] = {}


def register(kind: ExportKind) -> ExportKind:
    if kind.key in REGISTRY:
        raise ValueError(f"An export kind {kind.key!r} is already registered")
    REGISTRY[kind.key] = kind
    return kind


def get(key: str) -> ExportKind:
    if key not in REGISTRY:
        choices = ", ".join(sorted(REGISTRY))
        raise PeriodError(f"Export kind {key!r} is not known: choose {choices}", "kind")
    return REGISTRY[key]


def _int(params: Mapping[str, Any], name: str, label: str, default: int | None = None) -> int:
    value = params.get(name, default)
    if value in (None, ""):
        raise PeriodError(f"Enter the {label}", name)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise PeriodError(f"The {label} must be a whole number, like 2026", name) from None


# --- the CIN census ----------------------------------------------------------------------


def _census_clean(params: Mapping[str, Any], today: dt.date) -> dict[str, Any]:
    year = _int(params, "year", "census year")
    census_period(year, today=today)  # in the future, or not a supported year
    return {"year": year}


def _census_build(user: User, params: dict[str, Any], progress: Progress) -> services.Built:
    return services.census_build(year=params["year"], user=user, progress=progress)


register(ExportKind(
    "cin_census", "Children in Need census", _census_clean, _census_build,
    lambda p: f"Children in Need census {p['year'] - 1}-{str(p['year'])[2:]}"))


# --- Ofsted Annex A ----------------------------------------------------------------------


def _annex_clean(params: Mapping[str, Any], today: dt.date) -> dict[str, Any]:
    number = annex_a_list(_int(params, "list", "list number"))
    raw_end = params.get("end") or today
    if isinstance(raw_end, dt.date):
        end = raw_end
    else:
        try:
            end = dt.date.fromisoformat(str(raw_end))
        except ValueError:
            raise PeriodError("The end of the period must be a date like 2026-03-31",
                              "end") from None
    months = _int(params, "months", "length of the period in months", default=12)
    window = annex_a_window(end, months, today=today)
    fmt = str(params.get("format") or "xlsx").lower()
    if fmt not in services.FORMATS:
        raise PeriodError("The format must be xlsx or csv", "format")
    return {"list": number, "end": window.end.isoformat(), "months": months, "format": fmt}


def _annex_build(user: User, params: dict[str, Any], progress: Progress) -> services.Built:
    return services.annex_a_build(number=params["list"],
                                  end=dt.date.fromisoformat(params["end"]),
                                  months=params["months"], fmt=params["format"], user=user,
                                  progress=progress)


def _annex_describe(params: dict[str, Any]) -> str:
    end = dt.date.fromisoformat(params["end"])
    return (f"Ofsted Annex A {ANNEX_A_LISTS[params['list']]}, {params['months']} months to "
            f"{end:%-d %B %Y} ({params['format']})")


register(ExportKind("annex_a", "Ofsted Annex A list", _annex_clean, _annex_build,
                    _annex_describe))


# --- the DfE children's social care API payload -------------------------------------------


def _dfe_clean(params: Mapping[str, Any], today: dt.date) -> dict[str, Any]:
    from returns.dfe.models import DfeMode

    mode = str(params.get("mode") or DfeMode.FULL)
    if mode not in DfeMode.values:
        raise PeriodError("Choose every child (full) or only the children whose record "
                          "changed (changed)", "mode")
    return {"mode": mode}


def _dfe_build(user: User, params: dict[str, Any], progress: Progress) -> services.Built:
    from returns.dfe.services import payload_build

    return payload_build(mode=params["mode"], user=user, progress=progress)


register(ExportKind(
    "dfe_payload", "DfE children's social care data", _dfe_clean, _dfe_build,
    lambda p: ("DfE children's social care data, every child" if p["mode"] == "full"
               else "DfE children's social care data, changed records only")))


def today() -> dt.date:
    return timezone.localdate()
