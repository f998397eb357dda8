"""The users API never answers the password or its hash (issue 13)."""


def test_the_users_api_never_answers_the_password(as_admin):
    created = as_admin.post("/api/v1/users/", json={
        "email": "nouveau@boutique.cm", "first_name": "Awa", "last_name": "Ngo", "active": True,
        "roles": [], "password": "Secret-2026!"})
    assert created.status_code == 201, created.get_json()
    assert "password" not in created.get_json()["result"]
    user_id = created.get_json()["id"]
    updated = as_admin.put(f"/api/v1/users/{user_id}", json={"password": "Autre-2026!", "first_name": "Awa"})
    assert updated.status_code == 200
    assert "password" not in updated.get_json()["result"]
    for answer in (as_admin.get(f"/api/v1/users/{user_id}"), as_admin.get("/api/v1/users/")):
        assert "password" not in answer.get_data(as_text=True)
        assert "pbkdf2" not in answer.get_data(as_text=True) and "scrypt" not in answer.get_data(as_text=True)
