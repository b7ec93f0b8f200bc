"""A database that is down gives a 503 page or JSON, never a stack trace."""

import pytest
from fastapi.testclient import TestClient

from retirelink.config import Settings
from retirelink.web.app import create_app
from tests.conftest import TEST_SECRET

pytestmark = pytest.mark.e2e

# Port 9 (discard) on loopback: nothing listens, connections are refused at once.
DOWN_URL = "postgresql+psycopg://postgres@127.0.0.1:9/retirelink?connect_timeout=2"


@pytest.fixture
def client_without_database(tmp_path):
    settings = Settings(
        env="test",
        database_url=DOWN_URL,
        data_dir=tmp_path,
        secret_key=TEST_SECRET,
    )
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


def test_logging_in_while_the_database_is_down_shows_a_503_page(client_without_database):
    client = client_without_database
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]

    response = client.post(
        "/login", data={"username": "clerk", "password": "x", "csrf_token": token}
    )

    assert response.status_code == 503
    assert "数据库暂时不可用" in response.text
    assert "Traceback" not in response.text


def test_health_check_is_503_while_the_database_is_down(client_without_database):
    response = client_without_database.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
