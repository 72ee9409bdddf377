"""The staff certificate register and API: jurisdiction, voiding, audited reveal (JUR-03, NUM-07, PUB-04)."""

import pytest

from filing_portal.audit.models import AuditEvent
from tests.certificates.helpers import resident_id
from tests.conftest import PASSWORD


def test_city_staff_see_only_their_city__JUR_03(api_client, users, issued):
    api_client.force_authenticate(users["city_hefei"])
    numbers = {c["number"] for c in api_client.get("/api/v1/certificates/").json()["results"]}
    assert numbers == {issued["zhang"].number, issued["li"].number}
    api_client.force_authenticate(users["province_ah"])
    assert api_client.get("/api/v1/certificates/").json()["count"] == 3
    api_client.force_authenticate(users["inst_y"])
    assert [c["number"] for c in api_client.get("/api/v1/certificates/").json()["results"]] == [issued["wang"].number]
    api_client.force_authenticate(users["expert1"])
    assert api_client.get("/api/v1/certificates/").json()["count"] == 0


def test_api_fields_clients_rely_on(api_client, users, issued):
    api_client.force_authenticate(users["city_hefei"])
    body = api_client.get(f"/api/v1/certificates/{issued['li'].pk}/").json()
    assert {body[k] for k in ("number", "holder_name", "level", "status", "issue_date")} == {
        issued["li"].number, "李四", 4, "valid", "2026-11-02"}
    assert body["id_number_masked"].startswith("340") and resident_id(2) not in str(body)
    assert body["available_transitions"] == ["void"]


def test_void_through_the_api__NUM_07(api_client, users, issued):
    url = f"/api/v1/certificates/{issued['zhang'].pk}/transitions/void/"
    api_client.force_authenticate(users["city_wuhu"])
    assert api_client.post(url, {"reason": "x"}, format="json").status_code == 404
    api_client.force_authenticate(users["inst_s"])
    assert api_client.post(url, {"reason": "x"}, format="json").status_code == 403
    api_client.force_authenticate(users["city_hefei"])
    assert api_client.post(url, {}, format="json").status_code == 400
    response = api_client.post(url, {"reason": "冒名顶替"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "voided"
    again = api_client.post(url, {"reason": "再次"}, format="json")
    assert again.status_code == 409 and again.json()["rule"] == "NUM-07"


def test_filters_and_constant_queries(api_client, users, issued, django_assert_max_num_queries):
    api_client.force_authenticate(users["province_ah"])
    assert api_client.get("/api/v1/certificates/", {"level": 4}).json()["count"] == 1
    assert api_client.get("/api/v1/certificates/", {"holder_name": "王"}).json()["count"] == 1
    with django_assert_max_num_queries(6):
        assert api_client.get("/api/v1/certificates/").status_code == 200


def test_register_page_search_and_detail(client, users, issued):
    client.login(username="city_hefei", password=PASSWORD)
    html = client.get("/certificates/", {"q": "张"}).content.decode()
    assert issued["zhang"].number in html and issued["li"].number not in html
    assert resident_id(1) not in html
    assert client.get(f"/certificates/{issued['wang'].pk}/").status_code == 404


def test_void_from_the_page_keeps_number_and_reason__NUM_07(client, users, issued):
    client.login(username="city_hefei", password=PASSWORD)
    response = client.post(f"/certificates/{issued['zhang'].pk}/void/", {"reason": "证书信息错误"}, follow=True)
    html = response.content.decode()
    assert "证书信息错误" in html and issued["zhang"].number in html


@pytest.mark.pii_allowed(reason="city staff (REVEAL_ROLES) reveal the full number, audited (PUB-04)")
def test_reveal_is_audited_and_needs_a_reason__PUB_04(client, users, issued):
    client.login(username="city_hefei", password=PASSWORD)
    html = client.post(f"/certificates/{issued['zhang'].pk}/reveal/", {"reason": "核查举报"}).content.decode()
    assert resident_id(1) in html
    event = AuditEvent.objects.get(action="reveal_personal_data")
    assert event.comment == "核查举报" and resident_id(1) not in str(event.data)
    client.post(f"/certificates/{issued['zhang'].pk}/reveal/", {"reason": ""})
    assert AuditEvent.objects.filter(action="reveal_personal_data").count() == 1


def test_institution_cannot_reveal__PUB_04(client, users, issued):
    client.login(username="inst_s", password=PASSWORD)
    response = client.post(f"/certificates/{issued['zhang'].pk}/reveal/", {"reason": "想看"}, follow=True)
    assert resident_id(1) not in response.content.decode()
    assert not AuditEvent.objects.filter(action="reveal_personal_data").exists()
