from tests.support.builders import TEST_PASSWORD


def login(client, username):
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    return client.post(
        "/login",
        data={"username": username, "password": TEST_PASSWORD, "csrf_token": token, "next": "/"},
        follow_redirects=False,
    )


def test_clerk_can_log_in_and_see_home(client):
    response = login(client, "clerk")
    assert response.status_code == 303
    home = client.get("/")
    assert "您好，张敏" in home.text
