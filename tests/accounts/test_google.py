"""Google sign-in links only by a verified email; a new Google user gets no role and no store."""
from app.extensions import security_manager
from tests.conftest import DEMO


def test_unverified_email_is_refused(app):
    with app.test_request_context():
        assert security_manager().user_from_google({"email": "admin@boutique.cm", "email_verified": False}) is None
        assert security_manager().user_from_google({"email": "admin@boutique.cm"}) is None
        assert security_manager().user_from_google({"email_verified": True}) is None


def test_verified_email_links_to_the_existing_user(app):
    with app.test_request_context():
        user = security_manager().user_from_google({"email": "Manager@Boutique.cm", "email_verified": True})
        assert user.email == DEMO["MANAGER"][0]
        assert [r.name for r in user.roles] == ["MANAGER"]


def test_a_new_google_user_has_no_role_and_no_store(app, client):
    with app.test_request_context():
        user = security_manager().user_from_google(
            {"email": "nouveau@gmail.com", "email_verified": True, "given_name": "Paul", "family_name": "Biya"})
        assert user.roles == [] and user.first_name == "Paul"
        user_id = user.id
    with client.session_transaction() as session:  # signed in as that user
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
    page = client.get("/").get_data(as_text=True)
    assert "Aucun rôle" in page and "Aucun magasin affecté." in page


def test_a_disabled_user_cannot_sign_in_with_google(app, as_admin):
    with app.test_request_context():
        user = security_manager().find_user(email="caissier@boutique.cm")
    assert as_admin.put(f"/api/v1/users/{user.id}", json={"active": False}).status_code == 200
    with app.test_request_context():
        assert security_manager().user_from_google({"email": "caissier@boutique.cm", "email_verified": True}) is None


def test_google_button_only_when_configured(client):
    assert "Continuer avec Google" not in client.get("/login/").get_data(as_text=True)
    assert client.get("/login/google").status_code == 302


def test_allowed_domains_limit_new_google_accounts(app, monkeypatch):
    monkeypatch.setitem(app.config, "GOOGLE_ALLOWED_DOMAINS", ["boutique.cm", "maboutique.cm"])
    with app.test_request_context():
        sm = security_manager()
        assert sm.user_from_google({"email": "inconnu@gmail.com", "email_verified": True}) is None
        assert sm.find_user(email="inconnu@gmail.com") is None
        assert sm.user_from_google({"email": "x@gmail.com.evil.cm", "email_verified": True}) is None
        assert sm.user_from_google({"email": "nouvelle@MaBoutique.cm", "email_verified": True}).roles == []
        # An existing user signs in whatever the domain of their address.
        assert sm.user_from_google({"email": "manager@boutique.cm", "email_verified": True}) is not None

