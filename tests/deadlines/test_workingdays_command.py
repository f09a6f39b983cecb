"""`manage.py workingdays`: the operators' and acceptance checks' view of DOMAIN §3."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cpcases.accounts.models import Authority
from deadlines.models import ClosureDay

REPO = Path(__file__).resolve().parents[2]


def run(*args: str, stdin: str | None = None, monkeypatch: pytest.MonkeyPatch | None = None
        ) -> str:
    out = io.StringIO()
    if stdin is not None:
        assert monkeypatch is not None
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    call_command("workingdays", *args, stdout=out)
    return out.getvalue()


def test_add_prints_the_icpc_deadline_and_nothing_else() -> None:
    assert run("add", "2026-12-18", "15") == "2027-01-13\n"


def test_between_prints_the_number_of_working_days() -> None:
    assert run("between", "2026-12-18", "2027-01-13") == "15\n"


def test_add_with_a_negative_count_counts_back_before_a_conference() -> None:
    assert run("add", "2026-03-16", "-3") == "2026-03-11\n"


@pytest.mark.django_db
def test_authority_closure_days_are_included_with_authority() -> None:
    authority = Authority.objects.create(name="Anyshire Council", slug="anyshire")
    ClosureDay.objects.create(authority=authority, date=date(2026, 12, 24),
                              reason="Christmas Eve")
    assert run("add", "2026-12-18", "15", "--authority", "anyshire") == "2027-01-14\n"
    assert run("between", "2026-12-18", "2027-01-14", "--authority", "anyshire") == "15\n"
    assert run("add", "2026-12-18", "15") == "2027-01-13\n"  # the national calendar


@pytest.mark.django_db
def test_unknown_authority_is_a_clear_error() -> None:
    with pytest.raises(CommandError, match="unknown authority 'nowhere'") as caught:
        run("add", "2026-12-18", "15", "--authority", "nowhere")
    assert caught.value.returncode != 0


def test_stdin_answers_one_query_a_line_skipping_blank_lines(
        monkeypatch: pytest.MonkeyPatch) -> None:
    queries = ("2026-12-18 15\n"
               "\n"
               "2026-12-18 2027-01-13\n"
               "   \n"
               "2026-03-16 -3\n"
               "2026-01-10 0\n"
               "2027-01-13\t2026-12-18\n")
    assert run("--stdin", stdin=queries, monkeypatch=monkeypatch) == (
        "2027-01-13\n15\n2026-03-11\n2026-01-10\n-15\n")


def test_stdin_with_an_operation_reads_every_line_as_that_operation(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert run("between", "--stdin", stdin="2026-12-18 2027-01-13\n2026-01-09 2026-01-12\n",
               monkeypatch=monkeypatch) == "15\n1\n"
    with pytest.raises(CommandError, match="line 1"):
        run("between", "--stdin", stdin="2026-12-18 15\n", monkeypatch=monkeypatch)


def test_stdin_answers_many_queries_across_output_chunks(
        monkeypatch: pytest.MonkeyPatch) -> None:
    queries = "2026-12-18 15\n2026-12-18 2027-01-13\n" * 40_000
    answers = run("--stdin", stdin=queries, monkeypatch=monkeypatch).splitlines()
    assert answers == ["2027-01-13", "15"] * 40_000


@pytest.mark.parametrize(("line", "reason"), [
    ("2026-13-01 3", "not a valid date"),
    ("18/12/2026 15", "not a YYYY-MM-DD date"),
    ("2026-12-18 fifteen", "not a whole number"),
    ("2026-12-18", "expected two fields"),
    ("2026-12-18 15 extra", "expected two fields"),
    ("2100-12-18 15", "end of the working-day calendar"),
])
def test_stdin_bad_line_fails_naming_its_line_number_and_content_with_no_answers(
        monkeypatch: pytest.MonkeyPatch, line: str, reason: str) -> None:
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"2026-12-18 15\n\n{line}\n2026-12-18 1\n"))
    with pytest.raises(CommandError, match=reason) as caught:
        call_command("workingdays", "--stdin", stdout=out)
    assert str(caught.value).startswith(f"line 3: {line!r}")
    assert caught.value.returncode == 2
    assert out.getvalue() == ""


@pytest.mark.parametrize("args", [
    ("add", "2026-12-18"),
    ("between", "2026-12-18", "15"),
    ("add", "2026-02-30", "1"),
    ("2026-12-18", "15"),
    ("add", "2026-12-18", "15", "--stdin"),
])
def test_malformed_command_lines_are_refused(args: tuple[str, ...]) -> None:
    with pytest.raises((CommandError, SystemExit)):
        run(*args)


def test_manage_py_prints_exactly_the_answer_and_exits_non_zero_on_a_bad_line() -> None:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="cpcases.settings.test")
    manage = [sys.executable, str(REPO / "manage.py"), "workingdays"]
    ok = subprocess.run([*manage, "add", "2026-12-18", "15"], capture_output=True, text=True,
                        env=env, cwd=REPO, check=False, timeout=120)
    assert (ok.returncode, ok.stdout) == (0, "2027-01-13\n"), ok.stderr
    bad = subprocess.run([*manage, "--stdin"], input="2026-12-18 15\nnonsense\n",
                         capture_output=True, text=True, env=env, cwd=REPO, check=False,
                         timeout=120)
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert "line 2: 'nonsense'" in bad.stderr
