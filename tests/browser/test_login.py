"""Logging in and out through the real login form, in headless Chromium, with CSRF on."""
import re

import pytest
from playwright.sync_api import expect

from tests.conftest import DEMO

pytestmark = pytest.mark.browser

# SPEC §12 accounts: role -> (French role label, store codes shown on the home page)
LOGIN_URL = re.compile(r"/login/(\?.*)?$")

EXPECTED_HOME = {
    "ADMIN": ("Administrateur", ["DLA1", "YDE1"]),
    "MANAGER": ("Gérant", ["DLA1", "YDE1"]),
    "SALES": ("Vendeur", ["DLA1"]),
    "CASHIER": ("Caissier", ["DLA1"]),
    "STOCKER": ("Magasinier", ["DLA1", "YDE1"]),
}


# where the login leads when no page was asked for (the demo seller and cashier work in DLA1 only)
LANDING = {"SALES": r"/pos/\d+/", "CASHIER": r"/cashier/\d+/"}


@pytest.mark.parametrize("role", list(DEMO))
def test_demo_account_logs_in_to_the_french_home_page(page, login, live_server, role):
    email, password = DEMO[role]
    label, store_codes = EXPECTED_HOME[role]

    login(email, password)

    # each lands where the work is: a seller on the POS, a cashier on the till, the others here
    expect(page).to_have_url(re.compile("^" + re.escape(live_server) + LANDING.get(role, "/") + "$"))
    page.goto("/")  # the back office stays reachable
    expect(page).to_have_url(live_server + "/")
    expect(page.get_by_test_id("home")).to_be_visible()
    expect(page.get_by_test_id("home-role")).to_have_text(f"Votre rôle : {label}")
    stores = page.get_by_test_id("home-stores").locator("li")
    expect(stores).to_have_count(len(store_codes))
    for item, code in zip(stores.all(), store_codes):
        expect(item).to_contain_text(code)
    # The page speaks French (whatever the browser's language): headings, menus, user menu.
    expect(page.get_by_test_id("home")).to_contain_text("Vos magasins")
    expect(page.get_by_role("navigation")).to_contain_text("Français")
    expect(page.get_by_test_id("logout")).to_contain_text("Se déconnecter")
    if role != "ADMIN":  # on a 1024 px screen the menus hold on one line (the admin's eight take two)
        assert page.locator(".navbar").first.bounding_box()["height"] < 60
    expect(page.get_by_text("Logout", exact=True)).to_have_count(0)


def test_wrong_password_shows_a_french_message(page, login):
    email, _ = DEMO["CASHIER"]

    login(email, "pas-le-bon-mot-de-passe")

    expect(page).to_have_url(LOGIN_URL)
    expect(page.get_by_text("E-mail ou mot de passe incorrect.")).to_be_visible()
    expect(page.get_by_test_id("home")).to_have_count(0)


def test_logout_returns_to_the_login_page(page, login):
    login(*DEMO["SALES"])
    page.goto("/")
    expect(page.get_by_test_id("home")).to_be_visible()

    page.locator(".dropdown-toggle", has=page.locator(".fa-user")).click()
    page.get_by_test_id("logout").click()

    expect(page).to_have_url(LOGIN_URL)
    expect(page.get_by_label("Adresse e-mail")).to_be_visible()
    # The session is gone: the home page sends us back to the login form.
    page.goto("/")
    expect(page).to_have_url(LOGIN_URL)


def test_login_form_is_protected_by_csrf(page):
    """The live server runs with CSRF on: a login POST without the form's token is refused."""
    email, password = DEMO["ADMIN"]
    page.goto("/login/")
    expect(page.locator("form[name=login] input[name=csrf_token]")).to_have_count(1)

    response = page.request.post("/login/", form={"username": email, "password": password}, max_redirects=0)

    assert response.status == 400
    page.goto("/")
    expect(page).to_have_url(LOGIN_URL)
