"""PUB-04: only staff and administrators see a full ID number, with a reason, and it is audited."""

import json

import pytest
from django.contrib.auth.models import AnonymousUser

from filing_portal.audit.models import AuditEvent
from filing_portal.core.errors import DomainError, PermissionDeniedError
from filing_portal.personal_data import personal_data_reveal
from tests.pd_app.models import Holder

from .helpers import VALID_RIC

REASON = "核对证书持有人身份（投诉 2024-017）"


@pytest.fixture
def holder(db):
    return Holder.objects.create(name="张三", id_number=VALID_RIC)


@pytest.mark.parametrize("username", ["city_hefei", "province_ah", "admin"])
def test_pub04_staff_reveal_returns_number_and_is_audited_without_it(users, holder, username):
    user = users[username]
    value = personal_data_reveal(obj=Holder.objects.get(pk=holder.pk), field="id_number", acting_user=user,
                                 reason=REASON, ip="10.0.0.7")
    assert value == VALID_RIC

    event = AuditEvent.objects.get(action="reveal_personal_data")
    assert event.actor == user
    assert event.comment == REASON
    assert event.data == {"field": "id_number"}
    assert (event.object_type, event.object_id, event.ip) == ("pd_app.holder", str(holder.pk), "10.0.0.7")
    recorded = json.dumps([event.data, event.comment, event.object_repr], ensure_ascii=False)
    assert VALID_RIC not in recorded
    assert VALID_RIC[6:14] not in recorded


@pytest.mark.parametrize("username", ["inst_s", "expert1", "inspector1"])
def test_pub04_other_roles_are_refused(users, holder, username):
    with pytest.raises(PermissionDeniedError) as info:
        personal_data_reveal(obj=holder, field="id_number", acting_user=users[username], reason=REASON)
    assert info.value.rule == "PUB-04"
    assert info.value.status == 403
    assert not AuditEvent.objects.filter(action="reveal_personal_data").exists()


@pytest.mark.parametrize("acting_user", [AnonymousUser(), None])
def test_pub04_anonymous_is_refused(holder, acting_user):
    with pytest.raises(PermissionDeniedError) as info:
        personal_data_reveal(obj=holder, field="id_number", acting_user=acting_user, reason=REASON)
    assert info.value.rule == "PUB-04"


@pytest.mark.parametrize("reason", ["", "   "])
def test_pub04_reveal_without_reason_is_refused(users, holder, reason):
    with pytest.raises(DomainError) as info:
        personal_data_reveal(obj=holder, field="id_number", acting_user=users["city_hefei"], reason=reason)
    assert info.value.rule == "PUB-04"
    assert not isinstance(info.value, PermissionDeniedError)
    assert not AuditEvent.objects.filter(action="reveal_personal_data").exists()


def test_pub04_reveal_is_only_for_encrypted_fields(users, holder):
    with pytest.raises(ValueError):
        personal_data_reveal(obj=holder, field="name", acting_user=users["admin"], reason=REASON)
