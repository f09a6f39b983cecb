"""The DfE API page (/returns/dfe/): what a send would carry, the last sends, the file."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from cpcases.audit.models import AccessAction, AccessEvent
from cpcases.children.models import Child
from returns.dfe.models import DfeBatch, DfeBatchStatus, DfeChildSent, DfeMode
from returns.dfe.payload import build_payload
from returns.models import ReturnExport

pytestmark = pytest.mark.django_db


def _sent_everyone(org) -> None:
    batch = DfeBatch.objects.create(authority=org.authority, mode=DfeMode.FULL,
                                    status=DfeBatchStatus.SENT, children_count=4,
                                    sent_count=4, finished_at=timezone.now())
    DfeChildSent.objects.bulk_create(
        DfeChildSent(child_id=r.child_id, payload_hash=r.payload_hash, batch=batch,
                     sent_at=timezone.now())
        for r in build_payload(Child.objects.filter(authority=org.authority)).records)


def test_officer_sees_what_would_be_sent_and_that_sending_is_off(client, pdo, demo,
                                                                 monkeypatch) -> None:
    monkeypatch.delenv("DFE_API_URL", raising=False)
    client.force_login(pdo)
    page = client.get("/returns/dfe/").content.decode()
    assert "Every child</dt><dd class=\"govuk-summary-list__value\">4 children" in page
    assert "Changed since last sent</dt><dd class=\"govuk-summary-list__value\">4 children" \
        in page
    assert "social care API is not turned on, so nothing is sent from here" in page
    assert "DFE_API_TOKEN_URL" not in page  # the server's settings are for the operators
    assert "Nothing has been sent yet." in page


def test_after_a_send_nothing_has_changed_and_the_send_is_listed(client, pdo, demo,
                                                                 org) -> None:
    _sent_everyone(org)
    Child.objects.filter(la_child_id="RET2503").update(postcode="AN3 3CC")
    client.force_login(pdo)
    page = client.get("/returns/dfe/").content.decode()
    assert "Changed since last sent</dt><dd class=\"govuk-summary-list__value\">1 child<" \
        in page
    assert "4 of 4" in page
    assert "Sent" in page


def test_downloading_the_changed_children_is_recorded_with_each_of_them(client, pdo, demo,
                                                                        org) -> None:
    _sent_everyone(org)
    Child.objects.filter(la_child_id="RET2503").update(postcode="AN3 3CC")
    client.force_login(pdo)
    answer = client.post("/returns/dfe/", {"mode": "changed"})
    assert answer["Content-Type"] == "application/json"
    assert answer["Content-Disposition"].startswith('attachment; filename="dfe-api-changed-')
    records = json.loads(answer.content)
    assert [r["la_child_id"] for r in records] == ["RET2503"]
    export = ReturnExport.objects.get(kind="dfe_payload")
    assert (export.user, export.children_count) == (pdo, 1)
    poppy = Child.objects.get(la_child_id="RET2503")
    assert AccessEvent.objects.filter(user=pdo, child_id=poppy.pk,
                                      action=AccessAction.EXPORT).exists()
    assert DfeChildSent.objects.get(child=poppy).batch.sent_count == 4  # not marked sent


def test_a_bad_choice_is_refused_beside_the_field(client, pdo, demo) -> None:
    client.force_login(pdo)
    page = client.post("/returns/dfe/", {"mode": "everything"}).content.decode()
    assert "Choose every child or only the changed ones" in page
    assert 'href="#id_mode' in page
    assert not ReturnExport.objects.exists()


def test_manager_counts_only_their_own_services_children(client, sm, demo, org) -> None:
    from cpcases.accounts.models import Service, Team

    other = Team.objects.create(service=Service.objects.create(authority=org.authority,
                                                               name="East"), name="East 1")
    Child.objects.get(la_child_id="RET2501").allocations.update(team=other)
    client.force_login(sm)
    page = client.get("/returns/dfe/").content.decode()
    assert "Every child</dt><dd class=\"govuk-summary-list__value\">3 children" in page


def test_social_worker_is_refused(client, sw, demo) -> None:
    client.force_login(sw)
    assert client.get("/returns/dfe/").status_code == 403
