"""The users screen (Flask-AppBuilder's, adapted): people log in with their email."""
from app.extensions import db, security_manager
from tests.conftest import sign_in


def test_a_user_created_on_the_screen_logs_in_with_the_email(app, client):
    with app.app_context():
        cashier_role = security_manager().find_role("CASHIER").id
    added = sign_in(client, "ADMIN").post("/users/add", data={
        "first_name": "Joseph", "last_name": "Mbarga", "email": " Joseph.Mbarga@Boutique.cm ",
        "active": "y", "roles": str(cashier_role), "password": "caisse-2026!", "conf_password": "caisse-2026!"})
    assert added.status_code == 302, added.get_data(as_text=True)[-2000:]
    with app.app_context():
        user = security_manager().find_user(email="joseph.mbarga@boutique.cm")
        assert user.username == "joseph.mbarga@boutique.cm"
    listed = client.get("/users/list/").get_data(as_text=True)
    assert "joseph.mbarga@boutique.cm" in listed and "Caissier" in listed and "Oui" in listed
    assert "[CASHIER]" not in listed and "True" not in listed

    client.post("/logout/")
    token = client.post("/api/v1/auth/token/", json={"email": "joseph.mbarga@boutique.cm", "password": "caisse-2026!"})
    assert token.status_code == 200


def test_a_user_without_a_role_is_refused_in_french(app, client):
    refused = sign_in(client, "ADMIN").post("/users/add", data={
        "first_name": "Sans", "last_name": "Rôle", "email": "sans.role@boutique.cm", "active": "y",
        "password": "secret-2026!", "conf_password": "secret-2026!"})
    assert refused.status_code == 200 and "Choisissez un rôle." in refused.get_data(as_text=True)
    with app.app_context():
        assert security_manager().find_user(email="sans.role@boutique.cm") is None
        db.session.remove()


def test_changing_the_email_changes_the_login(app, client):
    with app.app_context():
        user = security_manager().find_user(email="caissier@boutique.cm")
        user_id, role_id = user.id, user.roles[0].id
    edited = sign_in(client, "ADMIN").post(f"/users/edit/{user_id}", data={
        "first_name": "Carine", "last_name": "Etoa", "email": "carine.etoa@boutique.cm", "active": "y",
        "roles": str(role_id)})
    assert edited.status_code == 302
    client.post("/logout/")
    assert client.post("/api/v1/auth/token/", json={"email": "carine.etoa@boutique.cm",
                                                   "password": "caissier123!"}).status_code == 200


def test_an_email_already_used_is_refused_without_an_error_page(app, client):
    with app.app_context():
        role = security_manager().find_role("SALES").id
    answer = sign_in(client, "ADMIN").post("/users/add", data={
        "first_name": "Double", "last_name": "Vendeur", "email": "VENDEUR1@boutique.cm", "active": "y",
        "roles": str(role), "password": "secret-2026!", "conf_password": "secret-2026!"}, follow_redirects=True)
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    assert "Cette valeur est déjà utilisée." in page
    assert "INSERT INTO" not in page and "UniqueViolation" not in page
    with app.app_context():
        assert security_manager().find_user(email="vendeur1@boutique.cm").first_name == "Valérie"


def test_a_second_role_is_refused_by_the_screen_and_the_api(app, client, as_admin):
    """A user has one role (SPEC §2): rules read it, so a second one is refused, not ignored."""
    with app.app_context():
        sm = security_manager()
        cashier_role, sales_role = sm.find_role("CASHIER").id, sm.find_role("SALES").id
        user = sm.find_user(email="caissier@boutique.cm")
        user_id, first, last = user.id, user.first_name, user.last_name
    screen = sign_in(client, "ADMIN").post(f"/users/edit/{user_id}", data={
        "first_name": first, "last_name": last, "email": "caissier@boutique.cm", "active": "y",
        "roles": [str(cashier_role), str(sales_role)]})
    assert screen.status_code == 200 and "Un utilisateur a un seul rôle" in screen.get_data(as_text=True)
    added = as_admin.post("/api/v1/users/", json={
        "email": "deux.roles@boutique.cm", "first_name": "Deux", "last_name": "Rôles", "active": True,
        "roles": [cashier_role, sales_role], "password": "secret-2026!"})
    edited = as_admin.put(f"/api/v1/users/{user_id}", json={"roles": [cashier_role, sales_role]})
    for answer in (added, edited):
        assert answer.status_code == 422 and answer.get_json()["errors"] == {
            "roles": ["Un utilisateur a un seul rôle : choisissez-en un."]}, answer.get_json()
    with app.app_context():
        sm = security_manager()
        assert sm.find_user(email="deux.roles@boutique.cm") is None
        assert [role.name for role in sm.get_user_by_id(user_id).roles] == ["CASHIER"]
        db.session.remove()
