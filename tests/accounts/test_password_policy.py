"""The password policy (issue 19 item 7): length, then zxcvbn (common passwords, names, sequences)."""
from app.core.passwords import password_problem
from tests.conftest import sign_in


def test_weak_passwords_are_refused_and_good_ones_accepted(app):
    with app.test_request_context():
        assert "trop court" in str(password_problem("abc"))
        assert "plus courants" in str(password_problem("azertyuiop"))
        assert password_problem("1234567890") is not None
        assert password_problem("Manioc-braisé-2026") is None


def test_the_users_api_and_the_reset_screen_refuse_a_weak_password(app, client, as_admin):
    from app.extensions import security_manager

    with app.app_context():
        role = security_manager().find_role("CASHIER").id
        user_id = security_manager().find_user(email="caissier@boutique.cm").id
    added = as_admin.post("/api/v1/users/", json={"email": "faible@boutique.cm", "first_name": "F", "last_name": "A",
                                                  "roles": [role], "password": "abc"})
    assert added.status_code == 422 and "password" in added.get_json()["errors"], added.get_json()
    edited = as_admin.put(f"/api/v1/users/{user_id}", json={"password": "password123"})
    assert edited.status_code == 422
    page = sign_in(client, "ADMIN").post(f"/resetpassword/form?pk={user_id}",
                                        data={"password": "abc", "conf_password": "abc"})
    assert page.status_code == 200 and "Mot de passe trop court" in page.get_data(as_text=True)
    client.post("/logout/")
    assert client.post("/api/v1/auth/token/", json={"email": "caissier@boutique.cm",
                                                   "password": "caissier123!"}).status_code == 200
