"""Public verification: masked answers, identical not-found, signed QR links, rate limits (CERT-05, PUB-04)."""

import pytest
from django.core.cache import cache

from certificates.services import certificate_void
from certificates.verification import qr_signature, verify_path
from tests.certificates.helpers import resident_id

API = "/api/v1/public/certificates/verify/"


@pytest.fixture(autouse=True)
def _clear_limits():
    cache.clear()
    yield
    cache.clear()


def test_lookup_by_number_and_name_shows_masked_id__CERT_05_PUB_04(client, issued):
    cert = issued["zhang"]
    html = client.post("/verify/", {"mode": "number", "n-number": cert.number, "n-name": "张三"}).content.decode()
    assert cert.number in html and "张三" in html and "汽车维修工" in html
    assert resident_id(1) not in html
    assert resident_id(1)[:3] + "*" * 11 + resident_id(1)[-4:] in html


def test_not_found_and_wrong_name_answer_the_same__CERT_05(api_client, issued):
    wrong_name = api_client.post(API, {"number": issued["zhang"].number, "name": "张四"}, format="json")
    no_such = api_client.post(API, {"number": "S000034010001269999999", "name": "张三"}, format="json")
    malformed = api_client.post(API, {"number": "S0000", "name": "张三"}, format="json")
    assert wrong_name.status_code == no_such.status_code == malformed.status_code == 200
    assert wrong_name.json() == no_such.json() == malformed.json()
    assert wrong_name.json()["found"] is False


def test_pages_answer_not_found_the_same_way__CERT_05(client, issued):
    def result(number, name):
        html = client.post("/verify/", {"mode": "number", "n-number": number, "n-name": name}).content.decode()
        section = html[html.index('class="results"'):]
        return section[:section.index("</section>")]

    assert result(issued["zhang"].number, "张四") == result("S000034010001269999999", "张三")


def test_lookup_by_name_and_id__CERT_05(api_client, issued):
    body = api_client.post(API, {"name": "李四", "id_type": "201", "id_number": resident_id(2)}, format="json").json()
    assert body["found"] and [c["number"] for c in body["certificates"]] == [issued["li"].number]
    assert body["certificates"][0]["work_type"] == "电焊工" and body["certificates"][0]["level"] == 4
    assert resident_id(2) not in str(body)
    other = api_client.post(API, {"name": "李四", "id_type": "201", "id_number": resident_id(1)}, format="json")
    assert other.json()["found"] is False


def test_work_type_shows_a_dash_when_none__CERT_04(api_client, issued):
    body = api_client.post(API, {"number": issued["zhang"].number, "name": "张三"}, format="json").json()
    assert body["certificates"][0]["work_type"] == "——"


def test_voided_certificate_shows_as_voided__NUM_07(api_client, users, issued):
    certificate_void(certificate=issued["zhang"], reason="考试作弊", acting_user=users["city_hefei"])
    body = api_client.post(API, {"number": issued["zhang"].number, "name": "张三"}, format="json").json()
    assert body["found"] and body["certificates"][0]["status"] == "voided"
    assert body["certificates"][0]["voided_on"]


def test_bad_request_names_the_fields(api_client, db):
    response = api_client.post(API, {"name": "张三"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_lookups_need_post__PUB_04(client, issued):
    """A GET with the data in the URL looks nothing up (ID numbers never travel in URLs)."""
    html = client.get("/verify/", {"n-number": issued["zhang"].number, "n-name": "张三"}).content.decode()
    assert "汽车维修工" not in html


def test_signed_qr_link_shows_the_certificate__CERT_05(client, issued):
    response = client.get(verify_path(issued["wang"].number))
    assert response.status_code == 200
    assert "王五" in response.content.decode() and "焊工" in response.content.decode()


def test_tampered_qr_link_says_so__CERT_05(client, issued):
    genuine = issued["zhang"].number
    forged_number = issued["li"].number
    response = client.get(f"/verify/c/{forged_number}/{qr_signature(genuine)}/")
    assert response.status_code == 400
    html = response.content.decode()
    assert "李四" not in html
    assert "不是真实" in html or "not genuine" in html
    assert client.get(f"/verify/c/{genuine}/{'0' * 20}/").status_code == 400


def test_rate_limit_ten_a_minute_with_a_clear_message(api_client, issued):
    for _ in range(10):
        assert api_client.post(API, {"number": issued["zhang"].number, "name": "张三"}, format="json").status_code == 200
    response = api_client.post(API, {"number": issued["zhang"].number, "name": "张三"}, format="json")
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited" and int(response["Retry-After"]) > 0


def test_forged_forwarded_for_does_not_reset_the_limit(api_client, issued):
    for i in range(10):
        api_client.post(API, {"number": issued["zhang"].number, "name": "张三"}, format="json",
                        HTTP_X_FORWARDED_FOR=f"203.0.113.{i}")
    response = api_client.post(API, {"number": issued["zhang"].number, "name": "张三"}, format="json",
                               HTTP_X_FORWARDED_FOR="198.51.100.77")
    assert response.status_code == 429


def test_page_rate_limit_keeps_the_form(client, issued):
    for _ in range(10):
        client.post("/verify/", {"mode": "number", "n-number": "x", "n-name": "y"})
    response = client.post("/verify/", {"mode": "number", "n-number": "x", "n-name": "y"})
    assert response.status_code == 429 and 'name="n-number" value="x"' in response.content.decode()
