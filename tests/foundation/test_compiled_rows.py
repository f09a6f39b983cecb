"""How a kept query makes its rows and pages a long list (cpcases.core.compiled, issue 13 §2):
instances made without Model.__init__ are the ORM's own, field for field, with their
select_related objects and the read audit's note; `narrow_page` gives the rows and the count
`with_total` gives, for every page, sort and filter, its LIMIT and OFFSET parameters."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Model
from django.db.models.signals import pre_init

from cpcases.audit import loaded
from cpcases.children.models import Child
from cpcases.core import compiled
from deadlines import services
from deadlines.models import Deadline
from deadlines.mywork import slim
from tests.factories import AllocationFactory, ChildFactory, HouseholdFactory


def _state(obj) -> tuple:
    return (type(obj), list(obj.__dict__.items())[1:], obj._state.adding, obj._state.db,
            sorted(obj.get_deferred_fields()), dict(obj._state.fields_cache))


def _whole(obj) -> tuple:
    """An instance, its fields in their order, and its select_related objects in turn."""
    return (_state(obj), [(name, _whole(related) if related is not None else None)
                          for name, related in sorted(obj._state.fields_cache.items())])


@pytest.fixture
def deadlines(org, sw, tm, child):
    """Twelve deadlines of team A: six children, two rules each, some due the same day;
    half of them tm's, the rest nobody's."""
    made = []
    for n in range(6):
        c = ChildFactory(authority=org.authority, last_name=f"Example{n % 3}")
        AllocationFactory(child=c, team=org.team_a, social_worker=sw)
        made.append(services.deadline_set(child=c, rule_id="plan_distributed",
                                          anchor=dt.date(2026, 3, 2 + n % 2)))
        made.append(services.deadline_set(child=c, rule_id="invitation_list",
                                          anchor=dt.datetime(2026, 3, 2, 8 + n, tzinfo=dt.UTC),
                                          responsible=tm if n % 2 else None))
    return made


def test_instances_are_the_orms_field_for_field(deadlines):
    query = slim(Deadline.objects.all()).order_by("due_date", "id")
    kept = compiled.compile_once(query, {})
    made = kept.instances({})
    assert [_whole(d) for d in made] == [_whole(d) for d in query]
    assert made[0].child.first_name  # related objects are there, their own fields too
    assert any(d.responsible is not None for d in made)
    assert all(d.delay_authorised_by is None for d in made)


def test_a_child_with_and_without_a_household(org, child, other_team_child):
    child.household = HouseholdFactory(authority=org.authority, name="The Example house")
    child.save()
    query = Child.objects.select_related("household", "authority").order_by("pk")
    made = compiled.compile_once(query, {}).instances({})
    assert [_whole(c) for c in made] == [_whole(c) for c in query]
    assert made[0].household.name == "The Example house"
    assert made[1].household is None


def test_each_instance_made_is_noted_for_the_read_audit(deadlines):
    kept = compiled.compile_once(slim(Deadline.objects.all()), {})
    token = loaded.start()
    try:
        made = kept.instances({})
    finally:
        noted = loaded.stop(token)
    assert {id(d) for d in made} | {id(d.child) for d in made} <= {id(r) for r in noted}


def test_while_anything_listens_to_pre_init_django_makes_them(deadlines):
    kept = compiled.compile_once(slim(Deadline.objects.all()), {})
    heard = []

    def listen(sender, **kwargs):
        heard.append(sender)

    pre_init.connect(listen)
    try:
        made = kept.instances({})
    finally:
        pre_init.disconnect(listen)
    assert heard.count(Deadline) == len(made) == 12
    assert heard.count(Child) == 12


def test_a_model_django_makes_its_own_way_is_left_to_it(monkeypatch):
    names = tuple(f.attname for f in Deadline._meta.concrete_fields)
    assert compiled._plain(Deadline, names)
    assert compiled._plain(Deadline, names[:3])
    assert not compiled._plain(Deadline, (names[1], names[0]))  # not in the model's order
    with monkeypatch.context() as patch:  # an attribute set through a descriptor of its own
        patch.setattr(Deadline, "rule_id", property(lambda self: "x", lambda self, v: None))
        assert not compiled._plain(Deadline, names)
    with monkeypatch.context() as patch:  # its own __init__
        patch.setattr(Deadline, "__init__", lambda self, *a: Model.__init__(self, *a),
                      raising=False)
        assert not compiled._plain(Deadline, names)
        assert compiled.maker(Deadline, names, "default").__name__ == "from_db"
    assert compiled.maker(Deadline, names, "default").__name__ == "make"


# --- narrow_page: a long list's page ---------------------------------------------------------

ORDERINGS = [("due_date", "id"), ("-due_date", "-due_at", "-id"),
             ("child__last_name", "child__first_name", "due_date", "id"),
             ("-responsible__full_name", "due_date", "id"), ("rule_id", "due_date", "id")]


def _row(d: Deadline) -> tuple:
    return (d.pk, getattr(d, compiled.TOTAL), d.child.last_name,
            d.responsible.full_name if d.responsible else None, d.due_date)


@pytest.mark.parametrize("ordering", ORDERINGS)
def test_every_page_is_with_totals_page(sw, deadlines, ordering):
    from deadlines.selectors import deadlines_visible

    found = deadlines_visible(user=sw).filter(status="open")
    window = compiled.compile_once(compiled.with_total(slim(found).order_by(*ordering)), {})
    narrow = compiled.compile_once(compiled.narrow_page(found, ordering, slim), {})
    assert narrow.paged_inside
    for offset in (0, 5, 10, 11, 12, 40):
        expected = list(map(_row, window.instances({}, limit=5, offset=offset)))
        assert list(map(_row, narrow.instances({}, limit=5, offset=offset))) == expected
        assert len(expected) == {0: 5, 5: 5, 10: 2, 11: 1}.get(offset, 0)
    assert [_row(d) for d in narrow.instances({})] == [_row(d) for d in window.instances({})]


def test_a_filtered_page_with_the_requests_values(sw, tm, deadlines):
    from deadlines.selectors import deadlines_visible

    found = deadlines_visible(user=sw).filter(due_date__lt=compiled.TODAY, responsible=tm)
    narrow = compiled.compile_once(compiled.narrow_page(found, ("due_date", "id"), slim),
                                   {"today": compiled.TODAY})
    for today in (dt.date(2026, 3, 1), dt.date(2026, 3, 9), dt.date(2027, 1, 1)):
        expected = list(slim(deadlines_visible(user=sw).filter(
            due_date__lt=today, responsible=tm)).order_by("due_date", "id"))
        rows = narrow.instances({"today": today}, limit=2, offset=1)
        assert [d.pk for d in rows] == [d.pk for d in expected[1:3]]
        assert all(getattr(d, compiled.TOTAL) == len(expected) for d in rows)


def test_the_page_is_chosen_by_limit_and_offset_parameters(sw, deadlines):
    from deadlines.selectors import deadlines_visible

    # A real value equal to a page marker's number stays a value.
    found = deadlines_visible(user=sw).exclude(pk=compiled.PAGE_LIMIT)
    narrow = compiled.compile_once(compiled.narrow_page(found, ("due_date", "id"), slim), {})
    assert "LIMIT %s OFFSET %s" in narrow.sql
    assert str(compiled.PAGE_LIMIT) not in narrow.sql
    assert str(compiled.PAGE_OFFSET) not in narrow.sql
    assert len(narrow.instances({}, limit=3, offset=4)) == 3


def test_the_page_markers_find_their_place_among_the_parameters():
    sql = ("SELECT '%%s', %s FROM t WHERE x LIKE '5%%' AND y IN (SELECT %s SLICE) AND z = %s"
           .replace("SLICE", compiled._PAGE_SLICE))
    made, params, at = compiled._page_markers_as_parameters(sql, ["a", "b", "c"])
    assert at == 2
    assert made.count("%s") - made.count("%%s") == 5
    assert params == ["a", "b", compiled.PAGE_LIMIT, compiled.PAGE_OFFSET, "c"]
    with pytest.raises(ValueError, match="exactly once"):
        compiled._page_markers_as_parameters(f"{sql} UNION {sql}", [])
    assert compiled._page_markers_as_parameters("SELECT 1", []) == ("SELECT 1", [], None)


@pytest.mark.parametrize("ordering", ORDERINGS)
def test_a_list_asked_without_filters_is_the_empty_filters_query(sw, deadlines, ordering):
    """The deadlines API's list without filters builds no FilterSet but where its SQL is
    compiled (deadlines.teampage.unfiltered_query): the SQL and values of the empty filter's
    kept query, under a key of its own."""
    from django.test import RequestFactory

    from deadlines import selectors, teampage
    from deadlines.filters import DeadlineFilter

    request = RequestFactory().get("/api/v1/deadlines/")
    request.user = sw
    compiled.clear()
    plain = teampage.unfiltered_query(user=sw, request=request, ordering=ordering)
    found = DeadlineFilter({}, queryset=selectors.deadlines_visible(user=sw), request=request)
    kept = teampage.kept_query(user=sw, found=found, ordering=ordering)
    assert plain is not kept
    assert (plain.sql, plain.params) == (kept.sql, kept.params)
    assert teampage.unfiltered_query(user=sw, request=request, ordering=ordering) is plain


@pytest.mark.parametrize("ordering", ORDERINGS)
def test_a_page_counted_once_is_narrow_pages_page(sw, tm, deadlines, ordering):
    """compiled.counted_once: the page's ids and the count from one pass, the same rows,
    instances and count as narrow_page's for every page (an empty one carries no count),
    with a marker in the list's filter and a value in a join of the sort (`responsible`)."""
    from deadlines.selectors import deadlines_visible

    found = deadlines_visible(user=sw).filter(due_date__gte=compiled.TODAY).exclude(
        responsible=sw)
    narrow = compiled.compile_once(compiled.narrow_page(found, ordering, slim),
                                   {"today": compiled.TODAY})
    once = compiled.counted_once(narrow)
    assert once.sql.count("COUNT(*)") == 1
    assert {name for _, name in once.slots} == {"today", "page limit", "page offset"}
    for today in (dt.date(2026, 3, 1), dt.date(2026, 3, 3), dt.date(2027, 1, 1)):
        for offset in (0, 5, 10, 12, 40):
            values = {"today": today}
            expected = narrow.instances(values, limit=5, offset=offset)
            rows = once.instances(values, limit=5, offset=offset)
            assert list(map(_whole, rows)) == list(map(_whole, expected))
            assert [getattr(d, compiled.TOTAL) for d in rows] == [
                getattr(d, compiled.TOTAL) for d in expected]


def test_only_a_narrow_pages_sql_is_counted_once(sw):
    from deadlines.selectors import deadlines_visible

    found = deadlines_visible(user=sw)
    with pytest.raises(ValueError, match="narrow_page"):
        compiled.counted_once(compiled.compile_once(
            compiled.with_total(slim(found).order_by("id")), {}))


@pytest.mark.parametrize("ordering", ORDERINGS)
def test_a_page_written_in_is_that_page_of_the_narrow_query(sw, tm, deadlines, ordering):
    """compiled.page_written_in (issue 13 §2): one page of a narrow_page query with its
    constants and its LIMIT and OFFSET written into the SQL, no parameter left (planned
    once per connection), the same instances and count; it reads no other page, and a query
    whose request's moment is a parameter is left as it is."""
    from deadlines.selectors import deadlines_visible

    found = deadlines_visible(user=sw).filter(status="open").exclude(responsible=sw)
    narrow = compiled.compile_once(compiled.narrow_page(found, ordering, slim), {})
    for limit, offset in ((5, 0), (5, 10), (3, 11), (5, 40)):
        page = compiled.page_written_in(narrow, limit=limit, offset=offset)
        assert page is not None
        assert (page.params, page.slots) == ((), ())
        assert f"LIMIT {limit} OFFSET {offset}" in page.sql
        assert "%s" not in page.sql
        expected = narrow.instances({}, limit=limit, offset=offset)
        rows = page.instances({}, limit=limit, offset=offset)
        assert list(map(_whole, rows)) == list(map(_whole, expected))
        assert [getattr(d, compiled.TOTAL) for d in rows] == [
            getattr(d, compiled.TOTAL) for d in expected]
        with pytest.raises(ValueError, match="alone"):
            page.instances({}, limit=limit, offset=offset + 1)
    once = compiled.counted_once(narrow)
    assert compiled.page_written_in(once, limit=5, offset=0).params == ()
    moment = compiled.compile_once(compiled.narrow_page(
        found.filter(due_date__gte=compiled.TODAY), ordering, slim), {"today": compiled.TODAY})
    assert compiled.page_written_in(moment, limit=5, offset=0) is None
    plain = compiled.compile_once(slim(found).order_by(*ordering), {})
    assert compiled.page_written_in(plain, limit=5, offset=0) is None


# --- compile_narrow: the list asked once, the page read as the list reads it ---------------

OWN_ORDERINGS = [("due_date", "id"), ("-due_date", "-due_at", "-id"),
                 ("rule_id", "due_date", "id"), ("status", "-pk")]


@pytest.mark.parametrize("ordering", OWN_ORDERINGS)
def test_compile_narrow_gives_with_totals_every_page(sw, deadlines, ordering):
    from deadlines.selectors import deadlines_visible

    found = slim(deadlines_visible(user=sw).filter(status="open")).order_by(*ordering)
    window = compiled.compile_once(compiled.with_total(found), {})
    narrow = compiled.compile_narrow(found, ordering, {})
    assert narrow is not None
    assert narrow.paged_inside
    # It starts with SELECT: pghistory puts its context before any other statement, which a
    # prepared statement refuses.
    assert narrow.sql.startswith("SELECT * FROM (WITH compiled_page AS MATERIALIZED (")
    for offset in (0, 5, 10, 11, 12, 40):
        expected = window.instances({}, limit=5, offset=offset)
        rows = narrow.instances({}, limit=5, offset=offset)
        assert [_whole(d) for d in rows] == [_whole(d) for d in expected]
        assert list(map(_row, rows)) == list(map(_row, expected))
        assert len(expected) == {0: 5, 5: 5, 10: 2, 11: 1}.get(offset, 0)


def test_compile_narrow_with_the_requests_values(sw, tm, deadlines):
    from deadlines.selectors import deadlines_visible

    found = slim(deadlines_visible(user=sw).filter(due_date__lt=compiled.TODAY,
                                                   responsible=tm)).order_by("due_date", "id")
    narrow = compiled.compile_narrow(found, ("due_date", "id"), {"today": compiled.TODAY})
    assert narrow is not None
    for today in (dt.date(2026, 3, 1), dt.date(2026, 3, 9), dt.date(2027, 1, 1)):
        expected = list(slim(deadlines_visible(user=sw).filter(
            due_date__lt=today, responsible=tm)).order_by("due_date", "id"))
        rows = narrow.instances({"today": today}, limit=2, offset=1)
        assert [d.pk for d in rows] == [d.pk for d in expected[1:3]]
        assert all(getattr(d, compiled.TOTAL) == len(expected) for d in rows)


def test_compile_narrow_refuses_what_would_change_the_rows(sw, deadlines):
    """Only the list's own rows, each once, with values that do not depend on the filters:
    otherwise (None) the caller counts with a window over the whole rows."""
    from django.db.models import Count

    from deadlines.selectors import deadlines_visible

    found = deadlines_visible(user=sw)
    ordering = ("due_date", "id")
    assert compiled.compile_narrow(found.order_by(*ordering), ordering, {}) is not None
    # A join to many rows (a child's allocations), DISTINCT, an aggregate, a window.
    assert compiled.compile_narrow(found.filter(child__allocations__ended_on__isnull=True),
                                   ordering, {}) is None
    assert compiled.compile_narrow(found.distinct(), ordering, {}) is None
    assert compiled.compile_narrow(found.annotate(n=Count("child__allocations")),
                                   ordering, {}) is None
    assert compiled.compile_narrow(compiled.with_total(found), ordering, {}) is None
    # A sort by another table's column, or by a column the rows do not read.
    assert compiled.compile_narrow(found, ("child__last_name", "id"), {}) is None
    assert compiled.compile_narrow(found.select_related(None).only("id", "child_id"),
                                   ordering, {}) is None
    # A foreign key's own join keeps each row once: the page is read as the list reads it.
    by_child = found.filter(child__last_name__startswith="Example")
    narrow = compiled.compile_narrow(by_child.order_by(*ordering), ordering, {})
    assert narrow is not None
    assert [d.pk for d in narrow.instances({}, limit=50)] == [
        d.pk for d in by_child.order_by(*ordering)]
