"""Health, security headers, CSRF, safe redirects, French pages, secrets in production."""
import pytest

import config
from tests.conftest import DEMO


def test_health_needs_no_auth(client, app):
    response = client.get("/health")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["redis"] == ("ok" if app.config.get("REDIS_URL") else "absent")


def test_health_reports_an_unreachable_redis(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")
    response = client.get("/health")
    assert response.status_code == 503
    assert response.get_json()["redis"] == "error"


def test_security_headers_on_pages_and_api(client):
    for path in ("/login/", "/health", "/api/v1/stores/"):
        headers = client.get(path).headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"


def test_session_cookie_is_httponly_and_samesite(client):
    client.post("/login/", data={"username": "admin@boutique.cm", "password": "admin123!"})
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax"


@pytest.fixture
def csrf_app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield app
    app.config["WTF_CSRF_ENABLED"] = False


def test_forms_need_a_csrf_token(csrf_app):
    client = csrf_app.test_client()
    response = client.post("/login/", data={"username": "admin@boutique.cm", "password": "admin123!"})
    assert response.status_code == 400
    assert "Requête invalide" in response.get_data(as_text=True)
    # The API uses bearer tokens, not cookies: no CSRF token needed there.
    api = client.post("/api/v1/auth/token/", json={"email": "admin@boutique.cm", "password": "admin123!"})
    assert api.status_code == 200


def test_logout_is_a_post(client):
    client.post("/login/", data={"username": "admin@boutique.cm", "password": "admin123!"})
    assert client.get("/logout/").status_code == 405
    assert client.post("/logout/").status_code == 302
    assert client.get("/").headers["Location"].startswith("/login/")


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "http://127.0.0.1.evil.example/"])
def test_login_never_redirects_off_site(client, target):
    response = client.post(f"/login/?next={target}", data={"username": "admin@boutique.cm", "password": "admin123!"})
    assert response.status_code == 302
    assert "evil" not in response.headers["Location"]


def test_production_refuses_an_unknown_host_header(database_url, monkeypatch):
    from app import create_app

    monkeypatch.setenv("TRUSTED_HOSTS", "boutique.example.cm")

    class Production(config.ProdConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        SECRET_KEY = "a-real-secret-of-enough-length-0123456789"
        JWT_SECRET_KEY = "another-real-secret-of-enough-length-0123"
        TRUSTED_HOSTS = config._list("TRUSTED_HOSTS") + ["127.0.0.1", "localhost"]

    client = create_app(Production).test_client()
    assert client.get("/health", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/health", headers={"Host": "boutique.example.cm"}).status_code == 200
    assert client.get("/health", headers={"Host": "127.0.0.1"}).status_code == 200


@pytest.mark.parametrize("role,label", [("ADMIN", "Administrateur"), ("MANAGER", "Gérant"), ("SALES", "Vendeur"),
                                        ("CASHIER", "Caissier"), ("STOCKER", "Magasinier")])
def test_home_page_shows_role_and_stores_in_french(client, role, label):
    email, password = DEMO[role]
    client.post("/login/", data={"username": email, "password": password})
    page = client.get("/").get_data(as_text=True)
    assert f"Votre rôle : {label}" in page
    assert "Douala Akwa" in page
    assert ("Yaoundé Centre" in page) == (role in ("ADMIN", "MANAGER", "STOCKER"))
    assert "Se déconnecter" in page


def test_anonymous_home_goes_to_login(client):
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login/")


def test_wrong_login_says_so_in_french(client):
    response = client.post("/login/", data={"username": "admin@boutique.cm", "password": "faux"}, follow_redirects=True)
    assert "E-mail ou mot de passe incorrect." in response.get_data(as_text=True)


def test_forbidden_screen_is_a_french_403(client):
    client.post("/login/", data={"username": "vendeur1@boutique.cm", "password": "vendeur123!"})
    response = client.get("/users/list/")
    assert response.status_code == 403
    assert "pas le droit de faire cette action" in response.get_data(as_text=True)


def test_unknown_api_path_is_a_json_404(client):
    response = client.get("/api/v1/nothing-here/")
    assert response.status_code == 404 and response.get_json()["message"] == "Introuvable."


def test_production_refuses_default_secrets(monkeypatch):
    from app import create_app

    class Production(config.ProdConfig):
        SECRET_KEY = config.DEFAULT_SECRET_KEY
        JWT_SECRET_KEY = "a-real-secret-of-enough-length-0123456789"

    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(Production)

    class ProductionJwt(Production):
        SECRET_KEY = "another-real-secret-of-enough-length-0123"
        JWT_SECRET_KEY = config.DEFAULT_JWT_SECRET_KEY

    with pytest.raises(RuntimeError, match="JWT_SECRET_KEY"):
        create_app(ProductionJwt)


def test_english_is_selectable(client):
    client.post("/login/", data={"username": "admin@boutique.cm", "password": "admin123!"})
    client.get("/lang/en")
    page = client.get("/").get_data(as_text=True)
    assert "Your role: Administrator" in page


def test_api_answers_set_no_session_cookie(client, as_cashier):
    """A script keeps no cookie: FAB's language selector wrote the default language into a new
    session on every call, each answer came with a Set-Cookie (and Vary: Cookie)."""
    answer = as_cashier.post("/api/v1/payments/", json={})
    assert answer.status_code == 422
    assert "Set-Cookie" not in answer.headers
    assert "Champ obligatoire." in answer.get_data(as_text=True)  # still French
    assert "Set-Cookie" not in as_cashier.get("/api/v1/sales/?_l_=en").headers


def test_the_generated_screens_speak_proper_french(client):
    """Flask-AppBuilder's own French has mistakes (and Spanish); our corrections catalog wins."""
    client.post("/login/", data={"username": "admin@boutique.cm", "password": "admin123!"})
    users = client.get("/users/list/").get_data(as_text=True)
    assert "Nombre d'enregistrements" in users and "Nombre de record" not in users
    form = client.get("/users/add").get_data(as_text=True)
    assert "Mieux vaut désactiver un utilisateur que le supprimer." in form
    assert "Le rôle de l'utilisateur : il donne ses autorisations." in form
    assert "just make it inactive" not in form


def test_generated_screens_show_nothing_for_a_missing_value_and_yes_no_for_a_flag(app, client):
    """FAB prints values as they are: "None" and "True" must not reach people."""
    from tests.factories import make_customer, store_by_code

    with app.app_context():
        customer_id = make_customer(store_by_code("DLA1"), name="Jean Sans Mail", phone="+237690000009").id
    client.post("/login/", data={"username": "admin@boutique.cm", "password": "admin123!"})
    shown = client.get(f"/customermodelview/show/{customer_id}").get_data(as_text=True)
    assert "Jean Sans Mail" in shown and ">None<" not in shown and "None\n" not in shown
    stores = client.get("/storemodelview/list/").get_data(as_text=True)
    assert "Oui" in stores and ">True<" not in stores and "True\n" not in stores
