"""The store form: currency and time zone are chosen from lists, not typed (issue 19 item 10)."""
from app.extensions import db
from app.stores.models import Store
from tests.conftest import sign_in


def test_the_store_form_offers_currencies_and_zones(app, client):
    sign_in(client, "ADMIN")
    form = client.get("/storemodelview/add").get_data(as_text=True)
    assert '<option selected value="XAF">XAF · franc CFA (BEAC)</option>' in form
    assert '<option selected value="Africa/Douala">Africa/Douala</option>' in form
    assert '<option value="Europe/Paris">Europe/Paris</option>' in form and "__None" not in form

    typo = client.post("/storemodelview/add", data={"code": "BFM1", "name": "Bafoussam", "currency": "FCFA",
                                                    "timezone": "Afrique/Douala", "discount_threshold": "10",
                                                    "pending_payment_limit_minutes": "30"})
    assert typo.status_code == 200 and typo.get_data(as_text=True).count("N'est pas un choix valide.") == 2
    chosen = client.post("/storemodelview/add", data={"code": "BFM1", "name": "Bafoussam", "currency": "XOF",
                                                      "timezone": "Africa/Abidjan", "discount_threshold": "10",
                                                      "pending_payment_limit_minutes": "30", "is_active": "y"})
    assert chosen.status_code == 302
    with app.app_context():
        store = db.session.query(Store).filter_by(code="BFM1").one()
        assert (store.currency, store.timezone) == ("XOF", "Africa/Abidjan")
