from sqlalchemy import select

from app.extensions import db
from app.stores.models import StoreUser
from tests.factories import store_by_code


def test_admin_creates_a_store_and_duplicates_are_409(as_admin):
    created = as_admin.post("/api/v1/stores/", json={"code": "KRI1", "name": "Kribi Port"})
    assert created.status_code == 201
    assert created.get_json()["result"]["currency"] == "XAF"
    duplicate = as_admin.post("/api/v1/stores/", json={"code": "KRI1", "name": "Autre"})
    assert duplicate.status_code == 409
    body = duplicate.get_json()
    assert body["message"] == "Cette valeur est déjà utilisée."
    assert body["errors"] == {"code": ["Cette valeur est déjà utilisée."]}
    assert "INSERT" not in duplicate.get_data(as_text=True) and "UNIQUE" not in duplicate.get_data(as_text=True)


def test_renaming_a_store_to_an_existing_code_is_409_without_sql(as_admin, app):
    with app.app_context():
        yde = store_by_code("YDE1").id
    response = as_admin.put(f"/api/v1/stores/{yde}", json={"code": "DLA1"})
    assert response.status_code == 409
    assert "UPDATE" not in response.get_data(as_text=True)


def test_bad_input_is_422_with_french_field_errors(as_admin):
    response = as_admin.post("/api/v1/stores/", json={"name": 12, "discount_threshold": "beaucoup"})
    assert response.status_code == 422
    body = response.get_json()
    assert body["message"] == "Certaines valeurs sont invalides."
    assert body["errors"]["code"] == ["Champ obligatoire."]
    assert body["errors"]["name"] == ["Texte invalide."]
    assert body["errors"]["discount_threshold"] == ["Nombre invalide."]


def test_a_check_constraint_violation_is_a_clean_409(as_admin):
    response = as_admin.post("/api/v1/stores/", json={"code": "X1", "name": "X", "discount_threshold": 150})
    assert response.status_code == 409
    assert response.get_json()["message"] == "Valeur refusée par une règle de cohérence."


def test_not_json_is_400_in_french(as_admin):
    response = as_admin.post("/api/v1/stores/", data="code=X", headers={"Content-Type": "text/plain"})
    assert response.status_code == 400
    assert response.get_json()["message"] == "Corps JSON attendu."


def test_assign_users_replaces_the_staff(app, as_admin):
    with app.app_context():
        yde = store_by_code("YDE1")
        seller = next(u for u in store_by_code("DLA1").users if u.email == "vendeur1@boutique.cm")
        ids = [seller.id]
    response = as_admin.post(f"/api/v1/stores/{yde.id}/assign-users/", json={"user_ids": ids})
    assert response.status_code == 200 and response.get_json()["result"] == {"user_ids": ids}
    with app.app_context():
        staff = db.session.execute(select(StoreUser.user_id).where(StoreUser.store_id == yde.id)).scalars().all()
        assert sorted(staff) == sorted(ids)


def test_assign_users_validates_everything_before_changing_anything(app, as_admin):
    with app.app_context():
        yde = store_by_code("YDE1")
        before = sorted(u.id for u in yde.users)
    missing = as_admin.post(f"/api/v1/stores/{yde.id}/assign-users/", json={"user_ids": [before[0], 99999]})
    assert missing.status_code == 422
    assert "99999" in missing.get_json()["errors"]["user_ids"][0]
    assert as_admin.post(f"/api/v1/stores/{yde.id}/assign-users/", json={"user_ids": "1,2"}).status_code == 422
    assert as_admin.post(f"/api/v1/stores/{yde.id}/assign-users/", json={}).status_code == 400
    assert as_admin.post("/api/v1/stores/99999/assign-users/", json={"user_ids": []}).status_code == 404
    with app.app_context():
        assert sorted(u.id for u in store_by_code("YDE1").users) == before


def test_users_api_hashes_passwords_and_the_new_user_can_log_in(app, as_admin, client):
    from app.extensions import security_manager

    with app.app_context():
        role = security_manager().find_role("CASHIER").id
    response = as_admin.post("/api/v1/users/", json={
        "email": "Nouvelle.Caissiere@Boutique.cm", "first_name": "Nina", "last_name": "Abena",
        "active": True, "roles": [role], "password": "caisse2026!"})
    assert response.status_code == 201, response.get_json()
    assert "password" not in as_admin.get(f"/api/v1/users/{response.get_json()['id']}").get_json()["result"]
    with app.app_context():
        user = security_manager().find_user(email="nouvelle.caissiere@boutique.cm")
        assert user.username == "nouvelle.caissiere@boutique.cm"
        assert user.password != "caisse2026!"
    token = client.post("/api/v1/auth/token/", json={"email": "nouvelle.caissiere@boutique.cm", "password": "caisse2026!"})
    assert token.status_code == 200
    duplicate = as_admin.post("/api/v1/users/", json={
        "email": "nouvelle.caissiere@boutique.cm", "first_name": "N", "last_name": "A", "roles": [role],
        "password": "Autre-caisse-2026"})
    assert duplicate.status_code == 409


def test_a_bad_query_argument_is_400_in_french(as_admin):
    response = as_admin.get("/api/v1/stores/?q=(((")
    assert response.status_code == 400
    assert response.get_json()["message"] == "Paramètre de requête (q) invalide."


def test_a_json_query_argument_is_accepted_like_rison(as_admin):
    response = as_admin.get('/api/v1/stores/?q={"page_size":1,"page":0}')
    assert response.status_code == 200 and len(response.get_json()["result"]) == 1
