"""Helpers for driving the app like a browser or an API client."""

import json
import re

from retirelink.exchange.signing import sign_request
from tests.conftest import TEST_NOW
from tests.support.builders import TEST_PASSWORD

_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    match = _CSRF_FIELD.search(html)
    assert match, "page has no CSRF field"
    return match.group(1)


def login(client, username: str, password: str = TEST_PASSWORD):
    token = csrf_from(client.get("/login").text)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token, "next": "/"},
        follow_redirects=False,
    )


def logged_in(client, username: str):
    response = login(client, username)
    assert response.status_code == 303, response.text
    return client


def page_csrf(client, path: str = "/") -> str:
    return csrf_from(client.get(path).text)


def api_login(client, username: str) -> str:
    response = client.post(
        "/api/v1/auth/login", json={"username": username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 200, response.text
    return response.json()["csrf_token"]


def ledger_actions(services, action: str | None = None):
    with services.uow() as uow:
        return uow.ledger.store.recent(limit=1000, action=action)


def signed_post(client, path, body, *, partner, item, purpose="benefit_suspension", **sign):
    raw = json.dumps(body, ensure_ascii=False).encode() if not isinstance(body, bytes) else body
    headers = sign_request(
        "POST",
        path,
        {},
        raw,
        client_id=partner.client_id,
        key=partner.key,
        item=item,
        purpose=purpose,
        now=sign.pop("now", TEST_NOW),
        **sign,
    )
    headers["Content-Type"] = "application/json"
    return client.post(path, content=raw, headers=headers)
