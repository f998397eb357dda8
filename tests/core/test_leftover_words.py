"""Words a person reads instead of leftovers (issue 19 item 10): FAB's relation filters, a draft and a till."""
from flask_appbuilder.models.sqla.filters import FilterRelationOneToManyEqual, FilterRelationOneToManyNotEqual


def test_the_relation_filters_read_like_the_others(app):
    with app.test_request_context():
        assert (str(FilterRelationOneToManyEqual.name), str(FilterRelationOneToManyNotEqual.name)) == (
            "Égal à", "Différent de")


def test_a_draft_and_a_shift_are_named_in_words(app):
    from datetime import datetime, timezone

    from app.cashier.models import CashShift
    from app.sales.models import Sale
    from tests.factories import store_by_code, user_by_email

    with app.test_request_context():
        store, seller = store_by_code("DLA1"), user_by_email("vendeur1@boutique.cm")
        assert str(Sale(id=7, store=store, seller=seller)) == "Brouillon de Valérie Ndongo"
        assert str(Sale(id=7, number="DLA1-FAC-2026-000007", store=store, seller=seller)) == "DLA1-FAC-2026-000007"
        shift = CashShift(id=2, store=store, cashier=user_by_email("caissier@boutique.cm"),
                          opened_at=datetime(2026, 12, 3, 7, 5, tzinfo=timezone.utc))
        assert str(shift) == "Caisse de Carine Etoa du 03/12/2026 08:05"  # Douala: UTC+1
