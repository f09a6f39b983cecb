"""Every e-mail goes through the outbox (issue 12 §1): no code outside cpcases.outbox hands
a message to Django's mail system itself, so none can be sent outside the transaction of the
change that causes it (and lost by a killed worker or a failing relay)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ["cpcases", "conferences", "deadlines", "frontdoor", "lifeevents", "strategy",
        "returns", "scripts"]
SENDERS = {"send_mail", "send_mass_mail", "mail_admins", "mail_managers", "send_messages",
           "get_connection"}


def _direct_sends(path: Path, root: Path = ROOT) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(
            node.func, "id", "")
        keywords = {k.arg for k in node.keywords}
        if (isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "transaction"):
            continue  # transaction.get_connection(): the database's, not a mail connection
        # .send() of a message (a signal's .send names its sender)
        if name in SENDERS or (name == "send" and "sender" not in keywords
                               and isinstance(node.func, ast.Attribute)):
            found.append(f"{path.relative_to(root)}:{node.lineno} {name}()")
    return found


def test_no_code_outside_the_outbox_sends_mail_itself():
    sources = [p for app in APPS for p in (ROOT / app).rglob("*.py")
               if "migrations" not in p.parts and "outbox" not in p.parts]
    assert len(sources) > 100
    assert [s for path in sources for s in _direct_sends(path)] == []


def test_the_check_finds_a_direct_send(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("from django.core.mail import EmailMessage, send_mail\n"
                      "send_mail('s', 'b', 'f', ['t'])\n"
                      "EmailMessage('s', 'b', 'f', ['t']).send()\n"
                      "signal.send(sender=None)\n")
    assert _direct_sends(module, tmp_path) == ["m.py:2 send_mail()", "m.py:3 send()"]
