import os
from datetime import timedelta

import pytest
from flask_jwt_extended import create_access_token

from tests.conftest import DEMO, get_tokens


@pytest.mark.parametrize("role", sorted(DEMO))
def test_every_demo_account_gets_a_token(client, role):
    email, password = DEMO[role]
    tokens = get_tokens(client, email, password)
    assert set(tokens) == {"access", "refresh"}
    response = client.get("/api/v1/stores/", headers={"Authorization": f"Bearer {tokens['access']}"})
    assert response.status_code == 200


def test_wrong_password_is_401_in_french(client):
    response = client.post("/api/v1/auth/token/", json={"email": "admin@boutique.cm", "password": "nope"})
    assert response.status_code == 401
    assert response.get_json()["message"] == "E-mail ou mot de passe incorrect."


def test_missing_fields_are_400_with_field_errors(client):
    response = client.post("/api/v1/auth/token/", json={"email": ""})
    assert response.status_code == 400
    assert set(response.get_json()["errors"]) == {"email", "password"}
    assert client.post("/api/v1/auth/token/", data="not json").status_code == 400


def test_repeated_failures_for_one_email_are_429_with_retry_after(client):
    for _ in range(10):
        assert client.post("/api/v1/auth/token/", json={"email": "caissier@boutique.cm", "password": "x"}).status_code == 401
    response = client.post("/api/v1/auth/token/", json={"email": "caissier@boutique.cm", "password": "caissier123!"})
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert "Réessayez" in response.get_json()["message"]
    # One cashier's typos do not lock out the other tills behind the same address.
    assert client.post("/api/v1/auth/token/", json={"email": "vendeur1@boutique.cm", "password": "vendeur123!"}).status_code == 200


def test_successful_logins_do_not_count_as_failures(client):
    for _ in range(12):
        get_tokens(client, "caissier@boutique.cm", "caissier123!")


def test_address_limit_is_60_requests_per_minute(client):
    statuses = [
        client.post("/api/v1/auth/token/", json={"email": f"u{i}@x.cm", "password": "x"}).status_code
        for i in range(61)
    ]
    assert statuses[:60] == [401] * 60
    assert statuses[60] == 429


def test_refresh_rotates_and_the_old_refresh_token_is_refused(client):
    tokens = get_tokens(client, "manager@boutique.cm", "manager123!")
    first = client.post("/api/v1/auth/token/refresh/", json={"refresh": tokens["refresh"]})
    assert first.status_code == 200
    rotated = first.get_json()
    assert set(rotated) == {"access", "refresh"} and rotated["refresh"] != tokens["refresh"]
    assert client.post("/api/v1/auth/token/refresh/", json={"refresh": rotated["refresh"]}).status_code == 200


def test_reusing_a_rotated_refresh_token_revokes_the_whole_chain(client):
    tokens = get_tokens(client, "manager@boutique.cm", "manager123!")
    rotated = client.post("/api/v1/auth/token/refresh/", json={"refresh": tokens["refresh"]}).get_json()
    auth = {"Authorization": f"Bearer {rotated['access']}"}
    assert client.get("/api/v1/stores/", headers=auth).status_code == 200
    # The old refresh token again: stolen, so every token of this login goes.
    assert client.post("/api/v1/auth/token/refresh/", json={"refresh": tokens["refresh"]}).status_code == 401
    assert client.get("/api/v1/stores/", headers=auth).status_code == 401
    assert client.post("/api/v1/auth/token/refresh/", json={"refresh": rotated["refresh"]}).status_code == 401
    # Another login of the same user is another chain: untouched.
    assert get_tokens(client, "manager@boutique.cm", "manager123!")["access"]


def test_an_access_token_is_not_a_refresh_token(client):
    tokens = get_tokens(client, "manager@boutique.cm", "manager123!")
    assert client.post("/api/v1/auth/token/refresh/", json={"refresh": tokens["access"]}).status_code == 401
    assert client.post("/api/v1/auth/token/refresh/", json={"refresh": "garbage"}).status_code == 401


def test_rotated_refresh_keeps_the_session_expiry(app, client):
    from flask_jwt_extended import decode_token

    tokens = get_tokens(client, "manager@boutique.cm", "manager123!")
    rotated = client.post("/api/v1/auth/token/refresh/", json={"refresh": tokens["refresh"]}).get_json()
    with app.app_context():
        assert decode_token(rotated["refresh"])["exp"] <= decode_token(tokens["refresh"])["exp"]
        life = decode_token(tokens["refresh"])["exp"] - decode_token(tokens["refresh"])["iat"]
        assert life <= 12 * 3600
        access = decode_token(tokens["access"])
        assert access["exp"] - access["iat"] == 15 * 60


@pytest.mark.parametrize("backend", ["redis", "database"])
def test_logout_revokes_access_and_refresh(app, client, backend, monkeypatch):
    if backend == "database":
        monkeypatch.setitem(app.config, "REDIS_URL", None)
    elif not app.config.get("REDIS_URL"):
        if os.environ.get("CI"):
            pytest.fail("REDIS_URL is required in CI")
        pytest.skip("REDIS_URL not set")
    tokens = get_tokens(client, "vendeur1@boutique.cm", "vendeur123!")
    auth = {"Authorization": f"Bearer {tokens['access']}"}
    assert client.post("/api/v1/auth/logout/", headers=auth).status_code == 200
    assert client.get("/api/v1/stores/", headers=auth).status_code == 401
    assert client.post("/api/v1/auth/token/refresh/", json={"refresh": tokens["refresh"]}).status_code == 401


def test_expired_and_forged_tokens_are_401(app, client):
    with app.app_context():
        expired = create_access_token(identity="1", expires_delta=timedelta(seconds=-1))
    for token in (expired, "not-a-token", expired[:-4] + "AAAA"):
        response = client.get("/api/v1/stores/", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401
        assert response.get_json()["message"]
    assert client.get("/api/v1/stores/").status_code == 401


def test_a_disabled_user_loses_access_at_once(app, client, as_admin):
    tokens = get_tokens(client, "caissier@boutique.cm", "caissier123!")
    auth = {"Authorization": f"Bearer {tokens['access']}"}
    assert client.get("/api/v1/stores/", headers=auth).status_code == 200
    users = as_admin.get("/api/v1/users/?q=(filters:!((col:email,opr:eq,value:'caissier@boutique.cm')))").get_json()
    user_id = users["ids"][0]
    assert as_admin.put(f"/api/v1/users/{user_id}", json={"active": False}).status_code == 200
    assert client.get("/api/v1/stores/", headers=auth).status_code == 401
    assert client.post("/api/v1/auth/token/refresh/", json={"refresh": tokens["refresh"]}).status_code == 401
