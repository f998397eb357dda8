"""Web sessions end server-side: logout and password changes refuse a copied cookie (issue 13)."""
from tests.conftest import DEMO

EMAIL, PASSWORD = DEMO["CASHIER"]


def login(app, email=EMAIL, password=PASSWORD):
    client = app.test_client()
    response = client.post("/login/", data={"username": email, "password": password})
    assert response.status_code == 302 and "/login/" not in response.headers["Location"]
    return client


def copy_of(app, client):
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def logged_in(client):
    return client.get("/").status_code == 200


def test_an_old_session_cookie_is_refused_after_logout(app):
    client = login(app)
    thief = copy_of(app, client)
    assert logged_in(thief)
    assert client.post("/logout/").status_code == 302
    assert not logged_in(thief)
    assert thief.get("/").headers["Location"].startswith("/login/")


def change_own_password(client, current, new):
    return client.post("/resetmypassword/form",
                       data={"current_password": current, "password": new, "conf_password": new})


def test_changing_ones_password_asks_for_the_current_one(app):
    client = login(app)
    page = client.get("/resetmypassword/form").get_data(as_text=True)
    assert "current_password" in page and "Mot de passe actuel" in page
    assert change_own_password(client, "", "Nouveau-2026!").status_code == 200  # the form again
    response = change_own_password(client, "faux-mot", "Nouveau-2026!")
    assert response.status_code == 200
    assert "Mot de passe actuel incorrect." in response.get_data(as_text=True)
    assert logged_in(login(app))  # the old password still works


def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(app):
    client = login(app)
    thief = copy_of(app, client)
    other_till = login(app)
    response = change_own_password(client, PASSWORD, "Nouveau-2026!")
    assert response.status_code == 302
    assert logged_in(client)
    assert not logged_in(thief)
    assert not logged_in(other_till)
    assert logged_in(login(app, password="Nouveau-2026!"))


def test_a_password_change_by_an_admin_ends_the_sessions(app, as_admin):
    client = login(app)
    users = as_admin.get(f"/api/v1/users/?q=(filters:!((col:email,opr:eq,value:'{EMAIL}')))").get_json()
    assert as_admin.put(f"/api/v1/users/{users['ids'][0]}", json={"password": "Autre-2026!"}).status_code == 200
    assert not logged_in(client)


def test_logout_of_one_user_keeps_the_others_logged_in(app):
    cashier = login(app)
    seller = login(app, *DEMO["SALES"])
    cashier.post("/logout/")
    assert logged_in(seller)
