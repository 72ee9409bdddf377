"""Login, logout and the role-aware home page, in Chinese by default."""

import pytest

from tests.conftest import PASSWORD


def test_login_page_is_chinese_and_accessible(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "登录" in html
    assert '<label for="id_username">' in html and '<label for="id_password">' in html


def test_wrong_credentials_give_a_clear_message_and_keep_the_username(client, users):
    response = client.post("/accounts/login/", {"username": "city_hefei", "password": "wrong"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "请输入一个正确的" in html  # Django's own zh-hans message for a failed login
    assert 'value="city_hefei"' in html
    assert "_auth_user_id" not in client.session


def test_anonymous_home_redirects_to_login(client, db):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("city_hefei", ["市级经办人员", "合肥市", "工作日日历"]),
        ("province_ah", ["省级经办人员", "安徽省", "工作日日历"]),
        ("inst_s", ["机构用户", "合肥示范职业技能评价中心"]),
        ("expert1", ["评审专家"]),
        ("admin", ["系统管理员", "系统管理"]),
    ],
)
def test_home_page_shows_role_and_jurisdiction(client, users, username, expected):
    assert client.login(username=username, password=PASSWORD)
    html = client.get("/").content.decode()
    for text in expected:
        assert text in html, text


def test_login_then_logout(client, users):
    response = client.post("/accounts/login/", {"username": "inst_s", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_english_is_available(client, users):
    client.login(username="city_hefei", password=PASSWORD)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/").content.decode()
    assert "City staff" in html and "Working-day calendar" in html


def test_healthz(client, db):
    response = client.get("/healthz/")
    assert response.status_code == 200 and response.content == b"ok"


def test_api_docs_and_schema_are_served(client, users):
    client.login(username="admin", password=PASSWORD)
    assert client.get("/api/docs/").status_code == 200
    assert client.get("/api/schema/").status_code == 200


def test_schema_validates_without_warnings(db):
    """`manage.py spectacular --validate --fail-on-warn` passes (Foundation, item 7)."""
    from django.core.management import call_command

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")
