"""Refresh rotation under concurrency, and credentials changes that end every token (issue 13)."""
import threading

from app.accounts import tokens as token_service
from app.extensions import db, security_manager
from tests.conftest import get_tokens

REFRESH = "/api/v1/auth/token/refresh/"


def bearer(access):
    return {"Authorization": f"Bearer {access}"}


def test_two_refreshes_at_once_one_wins_and_the_loser_revokes_the_chain(postgres, client):
    app = postgres
    tokens = get_tokens(client, "manager@boutique.cm", "manager123!")
    barrier = threading.Barrier(2)
    answers = [None, None]

    def refresh(index):
        # Each thread is its own request, hence its own app context, session and connection.
        local = app.test_client()
        barrier.wait()
        answers[index] = local.post(REFRESH, json={"refresh": tokens["refresh"]})

    threads = [threading.Thread(target=refresh, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [200, 401]
    winner = next(answer for answer in answers if answer.status_code == 200).get_json()
    # The loser presented a used token: the winner's new pair is revoked with it (whole chain).
    assert client.get("/api/v1/stores/", headers=bearer(winner["access"])).status_code == 401
    assert client.post(REFRESH, json={"refresh": winner["refresh"]}).status_code == 401


def _user_id(app, email):
    with app.app_context():
        return security_manager().find_user(email=email).id


def test_a_password_change_by_an_admin_revokes_the_tokens(app, client, as_admin):
    tokens = get_tokens(client, "caissier@boutique.cm", "caissier123!")
    assert client.get("/api/v1/stores/", headers=bearer(tokens["access"])).status_code == 200
    user_id = _user_id(app, "caissier@boutique.cm")
    assert as_admin.put(f"/api/v1/users/{user_id}", json={"password": "Nouveau-mot-2026"}).status_code == 200
    assert client.get("/api/v1/stores/", headers=bearer(tokens["access"])).status_code == 401
    assert client.post(REFRESH, json={"refresh": tokens["refresh"]}).status_code == 401
    fresh = get_tokens(client, "caissier@boutique.cm", "Nouveau-mot-2026")
    assert client.get("/api/v1/stores/", headers=bearer(fresh["access"])).status_code == 200


def test_a_password_reset_on_the_screen_revokes_the_tokens(app, client):
    tokens = get_tokens(client, "caissier@boutique.cm", "caissier123!")
    with app.app_context():
        security_manager().reset_password(_user_id(app, "caissier@boutique.cm"), "Autre-mot-2026")
    assert client.get("/api/v1/stores/", headers=bearer(tokens["access"])).status_code == 401
    assert client.post(REFRESH, json={"refresh": tokens["refresh"]}).status_code == 401


def test_a_deactivation_revokes_the_tokens_for_good(app, client, as_admin):
    tokens = get_tokens(client, "caissier@boutique.cm", "caissier123!")
    user_id = _user_id(app, "caissier@boutique.cm")
    assert as_admin.put(f"/api/v1/users/{user_id}", json={"active": False}).status_code == 200
    assert as_admin.put(f"/api/v1/users/{user_id}", json={"active": True}).status_code == 200
    # Active again: the tokens issued before the deactivation stay dead.
    assert client.get("/api/v1/stores/", headers=bearer(tokens["access"])).status_code == 401
    assert client.post(REFRESH, json={"refresh": tokens["refresh"]}).status_code == 401


def test_other_changes_keep_the_tokens(app, client, as_admin):
    tokens = get_tokens(client, "caissier@boutique.cm", "caissier123!")
    user_id = _user_id(app, "caissier@boutique.cm")
    assert as_admin.put(f"/api/v1/users/{user_id}", json={"first_name": "Awa"}).status_code == 200
    assert client.get("/api/v1/stores/", headers=bearer(tokens["access"])).status_code == 200


def test_logout_revokes_the_family(app, client):
    tokens = get_tokens(client, "vendeur1@boutique.cm", "vendeur123!")
    rotated = client.post(REFRESH, json={"refresh": tokens["refresh"]}).get_json()
    assert client.post("/api/v1/auth/logout/", headers=bearer(rotated["access"])).status_code == 200
    with app.app_context():
        from flask_jwt_extended import decode_token

        family = decode_token(rotated["refresh"])["fam"]
        assert token_service.is_revoked("unused-jti", family)
        db.session.remove()
