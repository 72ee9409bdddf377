"""Navigation by role: the institution's batches and the office's plan queue from the menu and the home page."""

import pytest


@pytest.mark.parametrize("username, present, absent", [
    ("inst_s", "/my/batches/", "/staff/batches/"),
    ("city_hefei", "/staff/batches/", "/my/batches/"),
    ("province_ah", "/staff/batches/", "/my/batches/"),
    ("admin", "/staff/batches/", "/my/batches/"),
])
def test_the_menu_and_home_page_link_the_batches_by_role(client, users, username, present, absent):
    client.force_login(users[username])
    home = client.get("/")
    text = home.content.decode()
    assert home.status_code == 200
    assert text.count(f'href="{present}"') == 2  # the menu and a home-page tile
    assert f'href="{absent}"' not in text
    assert client.get(present).status_code == 200


def test_experts_and_the_public_get_no_batch_links(client, users):
    client.force_login(users["expert1"])
    text = client.get("/").content.decode()
    assert 'href="/my/batches/"' not in text and 'href="/staff/batches/"' not in text
    client.logout()
    from django.urls import reverse

    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert 'href="/my/batches/"' not in page.content.decode() and 'href="/staff/batches/"' not in page.content.decode()
