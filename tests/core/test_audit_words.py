"""The audit trail in words (issue 19 item 3): actions, objects and changed fields in French."""
from app.core import audit_words


def test_actions_and_changes_read_in_french(app):
    with app.test_request_context():
        assert audit_words.action_text("sale.cancel") == "Vente annulée"
        assert audit_words.action_text("sale.payment") == "Paiement encaissé"
        assert audit_words.action_text("new.thing") == "new.thing"  # an unknown code still shows
        rows = audit_words.changes({"status": "PAID", "total": "45 000 FCFA", "refund": None},
                                   {"status": "CANCELLED", "total": "45 000 FCFA", "reason": "Erreur", "refund": None})
        assert rows == [("Statut", "Payée", "Annulé"), ("Motif", "—", "Erreur")]
        assert "{" not in str(audit_words.changes_table(None, {"user_ids": [1, 2]}))


def test_the_object_is_named_by_its_number(app):
    from tests.factories import make_product, make_pending_sale, put_in_stock, store_by_code, user_by_email

    with app.test_request_context():
        dla = store_by_code("DLA1")
        router = make_product("RT-AX55")
        put_in_stock(dla, router, 2, "PURCHASE")
        sale = make_pending_sale(dla, user_by_email("vendeur1@boutique.cm"), [(router, 1)])
        assert audit_words.object_text("Sale", str(sale.id)) == f"Vente {sale.number}"
        assert audit_words.object_text("Sale", "999999") == "Vente (brouillon)"  # a deleted draft: no number
        assert audit_words.object_text("Alert", "3") == "Alerte 3"
