from datetime import timedelta

import pytest

from tests.e2e.helpers import csrf_from, ledger_actions, logged_in, login, page_csrf

pytestmark = pytest.mark.e2e


def test_a_clerk_logs_in_and_lands_on_the_home_page_with_the_module_navigation(client):
    response = login(client, "clerk")

    assert response.status_code == 303
    home = client.get("/")
    assert "您好，张敏" in home.text
    for module in (
        "档案管理",
        "退休业务",
        "数据共享",
        "基金监管",
        "统计分析",
        "审计留痕",
        "系统管理",
    ):
        assert module in home.text


def test_a_wrong_password_shows_a_chinese_message_and_opens_no_session(client, seeded):
    response = login(client, "clerk", password="wrong-password-1")

    assert response.status_code == 401
    assert "用户名或密码错误" in response.text
    assert client.get("/", follow_redirects=False).status_code == 303
    assert [e.action for e in ledger_actions(seeded)] == ["auth.login_failed"]


def test_five_failures_lock_the_account_even_for_the_right_password(client, seeded):
    for _ in range(5):
        login(client, "clerk", password="wrong-password-1")

    response = login(client, "clerk")

    assert response.status_code == 401
    assert "锁定" in response.text
    assert ledger_actions(seeded, "auth.locked")


def test_the_lock_expires_after_the_lockout_period(client, seeded):
    for _ in range(5):
        login(client, "clerk", password="wrong-password-1")
    seeded.clock.advance(timedelta(minutes=16))

    assert login(client, "clerk").status_code == 303


def test_a_login_post_without_the_csrf_token_is_refused(client):
    client.get("/login")
    response = client.post("/login", data={"username": "clerk", "password": "x", "csrf_token": ""})

    assert response.status_code == 403
    assert "CSRF" in response.text


def test_pages_redirect_to_login_when_not_logged_in(client):
    response = client.get("/persons", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=/persons")


def test_logout_revokes_the_session_so_the_old_cookie_no_longer_works(client):
    logged_in(client, "clerk")
    cookie = client.cookies.get("rl_session")
    token = page_csrf(client)

    assert (
        client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code
        == 303
    )
    client.cookies.set("rl_session", cookie)
    assert client.get("/", follow_redirects=False).status_code == 303


def test_an_idle_session_expires(client, seeded):
    logged_in(client, "clerk")
    seeded.clock.advance(timedelta(minutes=31))

    assert client.get("/", follow_redirects=False).status_code == 303


def test_logout_without_csrf_token_is_refused_and_the_session_survives(client):
    logged_in(client, "clerk")

    response = client.post("/logout", data={}, follow_redirects=False)

    assert response.status_code == 403
    assert client.get("/").status_code == 200


def test_next_parameter_cannot_redirect_to_another_site(client):
    token = csrf_from(client.get("/login").text)
    response = client.post(
        "/login",
        data={
            "username": "clerk",
            "password": "Test@2026pass",
            "csrf_token": token,
            "next": "//evil.example/",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"
