"""The figures of a period laid out for the page and the API (issue 16 point 6): per figure
its total, its months and its teams, each number with the drill-down that lists the rows it
counts, a chart and a one-sentence summary. One query for them all, whatever the caseload."""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus, urlencode

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.safestring import SafeString

from cpcases.accounts.models import User
from cpcases.core.compiled import Compiled, cached, compile_once, prepared_cursor
from deadlines.selectors import POLICY_VERSION_SQL, effective_rules, held_policy_snapshot
from returns.performance import charts
from returns.performance.periods import Period
from returns.performance.selectors import (
    Cell,
    Figure,
    Result,
    counted_results,
    counts_statement,
    figures,
    may_view_performance,
    performance_children,
    performance_scope_sql,
    scope_label,
    scope_teams,
    scope_teams_key,
    user_scope_key,
)

NOT_ALLOCATED = "none"


@dataclass(frozen=True)
class Number:
    value: int
    url: str
    label: str = "Total"


@dataclass(frozen=True)
class Line:
    """One row of a figure's table: a month, a team, or the whole period."""

    label: str
    key: str  # "2026-04", a team id, "none" or "" (the period)
    total: Number
    parts: list[Number]
    percent: int | None


@dataclass(frozen=True)
class FigureReport:
    figure: Figure
    total: Line
    months: list[Line]
    teams: list[Line]
    summary: str
    chart: SafeString


def drill_url(figure: Figure, period: Period, *, month: str = "", team: str = "",
              part: str = "") -> str:
    return _DrillUrls(figure, period).url(month=month, team=team, part=part)


# A month, a team's id, a part's key: the few values an address holds, each encoded once.
_quote_plus = functools.lru_cache(maxsize=1024)(quote_plus)


@functools.lru_cache(maxsize=256)
def _figure_path(key: str, script_prefix: str, urlconf: object) -> str:
    """A figure's page, reversed once for each prefix and URLconf it is reversed under."""
    return reverse("performance:figure", args=[key])


@functools.lru_cache(maxsize=64)
def _period_query(start: dt.date, end: dt.date) -> str:
    """A period's part of its figures' addresses, encoded once, not once per figure."""
    return urlencode({"from_month": f"{start:%Y-%m}", "to_month": f"{end:%Y-%m}"})


@functools.lru_cache(maxsize=256)
def _month_names(month: dt.date) -> tuple[str, str]:
    """A month's line label and key ("April 2026", "2026-04"): written once, not once for
    each figure (issue 13 §2)."""
    return f"{month:%B %Y}", f"{month:%Y-%m}"


class _DrillUrls:
    """The drill-down addresses of one figure's numbers: the figure's path reversed and the
    period's query encoded once, not for each of its hundreds of numbers, and each line's
    month or team encoded once for its total and its parts (issue 13 §2: the reversing and
    encoding were a fifth, then a third, of the API's time). The same strings as
    `urlencode` of {from_month, to_month, month, team, part} (each only if given):
    "&"-joined key=quote_plus(value), in that order."""

    def __init__(self, figure: Figure, period: Period) -> None:
        query = _period_query(period.start, period.end)
        path = _figure_path(figure.key, get_script_prefix(), get_urlconf())
        self.prefix = f"{path}?{query}"
        self.parts = {p.key: f"&part={_quote_plus(p.key)}" for p in figure.parts}

    def url(self, *, month: str = "", team: str = "", part: str = "") -> str:
        line = self.line(month=month, team=team)
        return f"{line}&part={_quote_plus(part)}" if part else line

    def line(self, *, month: str = "", team: str = "") -> str:
        """The address of a line's total; its parts' add `self.parts[key]`."""
        url = self.prefix
        if month:
            url = f"{url}&month={_quote_plus(month)}"
        if team:
            url = f"{url}&team={_quote_plus(team)}"
        return url


def _line(figure: Figure, urls: _DrillUrls, cell: Cell, label: str, *, month: str = "",
          team: str = "") -> Line:
    line = urls.line(month=month, team=team)
    return Line(label=label, key=month or team, total=Number(cell.total, line),
                parts=[Number(cell.parts.get(p.key, 0), line + urls.parts[p.key], p.label)
                       for p in figure.parts],
                percent=cell.percent if figure.rate else None)


# One line of a figure's table as the layout gives it (`_laid_out`): its label, its month
# (a key, or "") or team ("none" or an id, or ""), and its counts.
_Laid = tuple[str, str, str, Cell]


def _laid_out(result: Result, period: Period, team_names: dict[int, str]
              ) -> tuple[dict[dt.date, Cell], _Laid, list[_Laid], list[_Laid]]:
    """A figure's months (in order), and its total, month and team lines (label, month,
    team, cell) in the order the page and the API show them: for `figure_report` and
    `figure_data` alike."""
    months = dict(sorted(result.by_month.items()))
    teams = [(team_names.get(team_id, "Not allocated") if team_id is not None
              else "Not allocated", "",
              str(team_id) if team_id is not None else NOT_ALLOCATED, cell)
             for team_id, cell in sorted(result.by_team.items(),
                                         key=lambda kv: team_names.get(kv[0] or 0, "~"))]
    return (months, (period.label, "", "", result.total),
            [(label, key, "", cell) for m, cell in months.items()
             for label, key in (_month_names(m),)], teams)


def _summary(figure: Figure, period: Period, total: Cell, months: dict[dt.date, Cell]) -> str:
    if not total.total:
        return f"There were no {figure.noun} in {period.label}."
    if figure.rate:
        rated = [(m, c) for m, c in months.items() if c.total]
        high = max(rated, key=lambda kv: kv[1].percent or 0)
        low = min(rated, key=lambda kv: kv[1].percent or 0)
        return (f"Of {total.total} {figure.noun} in {period.label}, {total.counted} "
                f"({total.percent}%) {figure.summary_phrase}; the highest month was "
                f"{high[0]:%B %Y} ({high[1].percent}%) and the lowest {low[0]:%B %Y} "
                f"({low[1].percent}%).")
    busiest = max(months.items(), key=lambda kv: kv[1].total)
    return (f"There were {total.total} {figure.noun} in {period.label}, the most in "
            f"{busiest[0]:%B %Y} ({busiest[1].total}).")


def _chart(figure: Figure, months: dict[dt.date, Cell], summary: str) -> SafeString:
    if figure.rate:
        bars = [charts.Bar(f"{m:%b %Y}", c.percent or 0,
                           f"{c.percent}%" if c.total else "none")
                for m, c in months.items()]
        title = f"{figure.title}, percentage by month"
        return charts.bar_chart(chart_id=f"chart-{figure.key}", title=title,
                                description=summary, bars=bars, maximum=100)
    bars = [charts.Bar(f"{m:%b %Y}", c.total, str(c.total)) for m, c in months.items()]
    return charts.bar_chart(chart_id=f"chart-{figure.key}", title=f"{figure.title} by month",
                            description=summary, bars=bars)


def figure_report(result: Result, period: Period, team_names: dict[int, str], *,
                  chart: bool = True) -> FigureReport:
    figure = result.figure
    months, total, month_lines, team_lines = _laid_out(result, period, team_names)
    summary = _summary(figure, period, result.total, months)
    urls = _DrillUrls(figure, period)
    return FigureReport(
        figure=figure, total=_line(figure, urls, total[3], total[0]),
        months=[_line(figure, urls, cell, label, month=key)
                for label, key, _team, cell in month_lines],
        teams=[_line(figure, urls, cell, label, team=team)
               for label, _month, team, cell in team_lines],
        summary=summary,
        chart=_chart(figure, months, summary) if chart else SafeString(""))


def figure_data(result: Result, period: Period, team_names: dict[int, str]
                ) -> dict[str, Any]:
    """What /api/v1/performance/ answers of one figure (PerformanceSerializer's figure of
    its `figure_report`), written directly from the
    counts: issue 13 §2, the report's lines and numbers (frozen dataclasses, a hundred lines
    and three hundred numbers a page) made only to be read back into the answer were a
    tenth of the API's CPU. The same lines in the same order (`_laid_out`), the same
    addresses (`_DrillUrls`)."""
    figure = result.figure
    months, total, month_lines, team_lines = _laid_out(result, period, team_names)
    urls = _DrillUrls(figure, period)
    parts = [(p.key, str(p.label), urls.parts[p.key]) for p in figure.parts]
    rate = bool(figure.rate)

    def line(label: str, month: str, team: str, cell: Cell) -> dict[str, Any]:
        url = urls.line(month=month, team=team)
        percent = cell.percent if rate else None
        return {"label": str(label), "key": str(month or team),
                "total": {"label": "Total", "value": int(cell.total), "url": url},
                "parts": [{"label": part_label, "value": int(cell.parts.get(key, 0)),
                           "url": url + address} for key, part_label, address in parts],
                "percent": None if percent is None else int(percent)}

    return {"key": str(figure.key), "title": str(figure.title), "rate": rate,
            "summary": str(_summary(figure, period, result.total, months)),
            "total": line(*total), "months": [line(*laid) for laid in month_lines],
            "teams": [line(*laid) for laid in team_lines]}


def team_names(user: User) -> dict[int, str]:
    """The names of the teams in the user's scope (`scope_teams`), by id: SQL compiled once
    per process for what it depends on (issue 13 §2: the ORM built it on every request)."""
    return dict(_team_names_query(user).rows({}))


def _team_names_query(user: User) -> Compiled:
    return cached(("performance-teams", scope_teams_key(user)),
                  lambda: compile_once(scope_teams(user).values_list("pk", "name"), {}))


def performance_results(user: User, period: Period) -> tuple[list[Result], dict[int, str]]:
    """The figures' counts for the period, and the names of the teams in the user's scope
    (`team_names`): with the policy's version, one statement (`_counted_with_names`)."""
    if not may_view_performance(user):  # as performance_children, built only if needed
        raise PermissionDenied
    held = held_policy_snapshot(user.authority_id)
    if held is not None:
        version, snapshot = held
        figs = figures(OrderedDict(snapshot.rules))
        found = _counted_with_names(user, figs, period, checking=version is not None)
        if found is not None and (version is None or found[2] == version):
            return found[0], found[1]
    # No policy held, or it has changed since: read as ever (the version asked first).
    figs = figures(effective_rules(user.authority_id))
    found = _counted_with_names(user, figs, period, checking=False)
    if found is None:
        return counted_results(figs, [], period.start, period.end), team_names(user)
    return found[0], found[1]


def _counted_with_names(user: User, figs: list[Figure], period: Period, *, checking: bool
                        ) -> tuple[list[Result], dict[int, str], int | None] | None:
    """The figures' results, the scope's team names and (`checking`) the policy's version
    now, from one statement: the counts (`counts_statement`) LEFT JOINed to one row of the
    names and the version, so they come even with no counts. Issue 13 §2: the names and the
    version were a query each, two round trips of the API's five. None when no child is in
    scope (no statement)."""
    statement = counts_statement(figs, functools.partial(performance_children, user),
                                 period.start, period.end, user_scope_key(user),
                                 functools.partial(performance_scope_sql, user))
    if statement is None:
        return None
    sql = _with_names_sql(user, statement, checking=checking)
    with prepared_cursor(connection) as cursor:  # planned once per connection
        cursor.execute(sql)
        rows = cursor.fetchall()
    named = {int(pk): str(name) for pk, name in json.loads(rows[0][0] or "[]")}
    results = counted_results(figs, [row[2:] for row in rows], period.start, period.end)
    return results, named, rows[0][1]


# The statements of `_counted_with_names`, by counts statement, teams' scope and checking.
_WITH_NAMES: dict[tuple[str, Hashable, bool], str] = {}
_WITH_NAMES_MAX = 64


def _with_names_sql(user: User, statement: str, *, checking: bool) -> str:
    key = (statement, scope_teams_key(user), checking)
    found = _WITH_NAMES.get(key)
    if found is None:
        names = _team_names_query(user)
        names_sql = connection.ops.compose_sql(names.sql, list(names.params))
        version = f"({POLICY_VERSION_SQL})" if checking else "NULL::bigint"
        found = ("SELECT (SELECT json_agg(json_build_array(t.pk, t.name))::text "  # noqa: S608 - kept SQL, values written in by psycopg
                 f"FROM ({names_sql}) t), {version}, c.* "
                 f"FROM (SELECT 1) AS one LEFT JOIN ({statement}) AS c ON true")
        if len(_WITH_NAMES) >= _WITH_NAMES_MAX:
            _WITH_NAMES.clear()
        _WITH_NAMES[key] = found
    return found


def performance_page(user: User, period: Period, *, charts: bool = True
                     ) -> tuple[list[FigureReport], str]:
    """The figures of the period and the scope's label (`scope_label`, a team manager's
    team named from the teams read for the figures); `charts=False` leaves each report's
    chart empty."""
    results, names = performance_results(user, period)
    return ([figure_report(result, period, names, chart=charts) for result in results],
            scope_label(user, names))


def performance_report(user: User, period: Period, *, charts: bool = True
                       ) -> list[FigureReport]:
    """The figures of the period (`performance_page`)."""
    return performance_page(user, period, charts=charts)[0]


def figure_by_key(user: User, key: str) -> Figure | None:
    return next((f for f in figures(effective_rules(user.authority_id)) if f.key == key),
                None)
