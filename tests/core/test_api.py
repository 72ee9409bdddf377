"""The transition endpoint contract: 200 / 409 with rule ID / 403 / 404 (DESIGN.md "Contracts")."""

import pytest

from tests.workflow_app.models import Ticket

pytestmark = pytest.mark.urls("tests.workflow_app.urls")


@pytest.fixture
def ticket(users, inst_s, hefei):
    return Ticket.objects.create(institution=inst_s, region=hefei, title="申请一")


def url(ticket, name):
    return f"/api/v1/test/tickets/{ticket.pk}/transitions/{name}/"


def test_200_returns_new_representation(api_client, users, ticket):
    api_client.force_authenticate(users["inst_s"])
    response = api_client.post(url(ticket, "submit"), {}, format="json")
    assert response.status_code == 200
    assert response.json()["state"] == "submitted"
    assert response.json()["available_transitions"] == []


def test_409_names_the_rule_when_state_forbids(api_client, users, ticket):
    api_client.force_authenticate(users["city_hefei"])
    response = api_client.post(url(ticket, "reject"), {"reason": "材料不全"}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["rule"] == "FIL-06" and body["code"] == "invalid_state" and body["message"]


def test_400_when_the_transition_input_is_missing__FIL_06(api_client, users, ticket):
    api_client.force_authenticate(users["inst_s"])
    api_client.post(url(ticket, "submit"), {}, format="json")
    api_client.force_authenticate(users["city_hefei"])
    response = api_client.post(url(ticket, "reject"), {}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()["errors"]


def test_403_when_role_forbids(api_client, users, ticket):
    api_client.force_authenticate(users["inst_s"])
    api_client.post(url(ticket, "submit"), {}, format="json")
    response = api_client.post(url(ticket, "approve"), {}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert Ticket.objects.get(pk=ticket.pk).state == "submitted"


def test_404_outside_the_callers_view__JUR_03(api_client, users, ticket):
    api_client.force_authenticate(users["city_wuhu"])
    assert api_client.post(url(ticket, "approve"), {}, format="json").status_code == 404
    api_client.force_authenticate(users["inst_y"])
    assert api_client.get(f"/api/v1/test/tickets/{ticket.pk}/").status_code == 404


def test_token_auth_round_trip(api_client, users, ticket):
    response = api_client.post("/api/v1/auth/token/", {"username": "inst_s", "password": "correct-horse-battery"},
                               format="json")
    assert response.status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    me = api_client.get("/api/v1/me/").json()
    assert me["username"] == "inst_s" and me["role"] == "institution"
    assert me["institution"]["name"] == "合肥示范职业技能评价中心"
    assert api_client.post(url(ticket, "submit"), {}, format="json").status_code == 200


def test_token_with_wrong_password_is_a_clear_400(api_client, users):
    response = api_client.post("/api/v1/auth/token/", {"username": "inst_s", "password": "nope"}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "invalid_credentials"


def test_anonymous_gets_401_or_403(api_client, ticket):
    assert api_client.get("/api/v1/me/").status_code in (401, 403)


def test_each_transition_is_in_the_schema_with_its_input(api_client, users):
    api_client.force_authenticate(users["admin"])
    schema = api_client.get("/api/schema/?format=json").json()
    paths = schema["paths"]
    for name in ("submit", "approve", "reject", "expire"):
        assert f"/api/v1/test/tickets/{{id}}/transitions/{name}/" in paths
    reject = paths["/api/v1/test/tickets/{id}/transitions/reject/"]["post"]
    ref = reject["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("ReasonInputRequest")
    assert set(reject["responses"]) >= {"200", "403", "404", "409"}


def test_list_query_count_is_constant(api_client, users, inst_s, hefei, django_assert_max_num_queries):
    for i in range(20):
        Ticket.objects.create(institution=inst_s, region=hefei, title=f"t{i}")
    api_client.force_authenticate(users["city_hefei"])
    with django_assert_max_num_queries(6):
        response = api_client.get("/api/v1/test/tickets/")
    assert response.status_code == 200 and response.json()["count"] == 20
