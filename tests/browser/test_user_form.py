"""Issue 19 item 7: an admin creates a cashier of DLA1 on one form (email, names, the role in
words, the stores) and sees a weak password refused; the user's page shows their stores."""
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshots
from tests.conftest import DEMO

pytestmark = pytest.mark.browser


def _shots(page, name):
    screenshots(page, f"i19_users_{name}")


def test_an_admin_creates_a_cashier_of_dla1_on_one_form(page, login, app):
    login(*DEMO["ADMIN"])
    page.goto("/")
    page.get_by_test_id("home-entries").get_by_role("link", name="Utilisateurs").click()
    page.locator("a[href*='/users/add']").first.click()
    page.get_by_label("Adresse e-mail").fill("awa.ngono@boutique.cm")
    page.get_by_label("Prénom").fill("Awa")
    page.get_by_label("Nom de famille").fill("Ngono")
    role = page.get_by_label("Rôle")
    assert role.locator("option").all_inner_texts()[1:] == ["Administrateur", "Gérant", "Vendeur", "Caissier", "Magasinier"]
    role.select_option(label="Caissier")
    page.get_by_label("DLA1 · Douala Akwa").check()
    page.locator("#password").fill("abc")
    page.locator("#conf_password").fill("abc")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Mot de passe trop court")).to_be_visible()
    _shots(page, "1_weak_password_refused")

    page.locator("#password").fill("azertyuiop")  # long enough, but among the most common
    page.locator("#conf_password").fill("azertyuiop")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("fait partie des plus courants")).to_be_visible()

    page.locator("#password").fill("Manioc-braisé-2026")
    page.locator("#conf_password").fill("Manioc-braisé-2026")
    expect(page.get_by_label("DLA1 · Douala Akwa")).to_be_checked()  # the form kept what was typed
    expect(page.get_by_label("Rôle")).to_have_value(role.input_value())
    page.get_by_role("button", name="Enregistrer").click()
    row = page.locator("table tbody tr", has_text="awa.ngono@boutique.cm")
    expect(row).to_contain_text("Caissier")
    _shots(page, "2_listed")
    row.locator("a[href*='/users/show/']").first.click()
    expect(page.get_by_test_id("user-stores")).to_contain_text("DLA1 · Douala Akwa")
    expect(page.get_by_test_id("user-stores")).not_to_contain_text("YDE1")
    _shots(page, "3_user_page_with_stores")

    with app.app_context():
        from app.stores.services import stores_of
        from tests.factories import user_by_email

        user = user_by_email("awa.ngono@boutique.cm")
        assert [role.name for role in user.roles] == ["CASHIER"]
        assert [store.code for store in stores_of(user.id)] == ["DLA1"]


def test_a_manager_opens_their_profile_from_the_menu(page, login):
    login(*DEMO["MANAGER"])
    page.goto("/")
    page.locator(".navbar .dropdown-toggle", has_text="Marc").click()
    page.get_by_role("link", name="Profil").click()
    expect(page.get_by_text(DEMO["MANAGER"][0])).to_be_visible()
    expect(page.get_by_test_id("user-stores")).to_contain_text("DLA1 · Douala Akwa")
    expect(page.get_by_test_id("user-stores")).to_contain_text("YDE1 · Yaoundé Centre")
    _shots(page, "4_profile")
