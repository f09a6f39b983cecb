"""The performance pages (issue 16 point 6): the figures of a period with their charts and
tables, and the drill-down listing the rows one number counts. Managers (their service or
team) and the performance and data officer only (selectors.performance_children)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from cpcases.audit.reads import record_children_shown
from cpcases.children.scoping import visible_children
from returns.performance import selectors
from returns.performance.forms import PeriodForm
from returns.performance.periods import parse_month
from returns.performance.report import NOT_ALLOCATED, figure_by_key, performance_page

PAGE_SIZE = 25


def _require(request: HttpRequest) -> None:
    if not selectors.may_view_performance(request.user):
        raise PermissionDenied("Only managers and the performance and data officer may see "
                               "the performance figures.")


def _period_form(request: HttpRequest) -> PeriodForm:
    params = {k: request.GET[k] for k in ("from_month", "to_month") if k in request.GET}
    form = PeriodForm(params or None)
    if form.is_bound:
        form.is_valid()
    return form


@login_required
def index(request: HttpRequest) -> HttpResponse:
    _require(request)
    form = _period_form(request)
    reports, scope = (performance_page(request.user, form.period) if not form.errors
                      else ([], selectors.scope_label(request.user)))
    return render(request, "performance/index.html", {
        "form": form, "period": form.period, "reports": reports, "scope": scope},
        status=400 if form.errors else 200)


@login_required
def figure(request: HttpRequest, key: str) -> HttpResponse:
    """The children one number counts: the figure's rows for a month, a team and a part."""
    _require(request)
    found = figure_by_key(request.user, key)
    if found is None:
        raise Http404("No such figure")
    form = _period_form(request)
    if form.errors:
        return render(request, "performance/figure.html", {
            "form": form, "figure": found, "period": form.period}, status=400)
    period = form.period
    month = parse_month(request.GET.get("month", "")) if request.GET.get("month") else None
    if request.GET.get("month") and (month is None or not period.start <= month <= period.end):
        raise Http404("That month is not in the period")
    teams = dict(selectors.scope_teams(request.user).values_list("pk", "name"))
    team_param = request.GET.get("team", "")
    team: int | str | None = ""
    if team_param == NOT_ALLOCATED:
        team = None
    elif team_param:
        if not team_param.isdigit() or int(team_param) not in teams:
            raise Http404("No such team")
        team = int(team_param)
    part = request.GET.get("part", "")
    part_label = next((p.label for p in found.parts if p.key == part), "")
    if part and not part_label:
        raise Http404("No such part of the figure")
    children = selectors.performance_children(request.user)
    rows = selectors.drill_rows(found, children, period.start, period.end, month=month,
                                team=team, part=part)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page)
    child_ids = {getattr(row, f"{found.child_path}_id") for row in shown}
    openable = set(visible_children(request.user).filter(pk__in=child_ids)
                   .values_list("pk", flat=True))
    record_children_shown(request=request, section="performance", child_ids=child_ids)
    labels = {p.key: p.label for p in found.parts}
    lines = [{"child": getattr(row, found.child_path), "date": row.p_date,
              "team": teams.get(row.p_team, "Not allocated"),
              "part": labels.get(row.p_part, "") if found.parts else "",
              "openable": getattr(row, f"{found.child_path}_id") in openable}
             for row in shown]
    narrowed = [text for text in (
        f"{month:%B %Y}" if isinstance(month, dt.date) else "",
        (teams.get(team, "") if isinstance(team, int) else ("Not allocated" if team is None
                                                              else "")),
        part_label) if text]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "performance/figure.html", {
        "form": form, "figure": found, "period": period, "page": page, "lines": lines,
        "count": page.paginator.count, "narrowed": narrowed,
        "page_query": f"{query.urlencode()}&" if query else "",
        "back_query": period.query, "scope": selectors.scope_label(request.user)})
