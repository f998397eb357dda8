"""The audit trail in words for the audit log screen: what happened ("Vente annulée" for
`sale.cancel`), on what ("Vente DLA1-FAC-2026-000006" for Sale 6) and which fields changed
(a short table of French labels, old and new value) instead of raw dictionaries.

Core imports no domain: the document's number is read by table name (REFERENCES), and an
unknown action, object type or field falls back to its code, so a new action still shows.
"""
from flask import g, has_request_context
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import select

from ..extensions import db
from .field_labels import FIELD_LABELS

ACTION_LABELS = {
    "sale.create": _l("Brouillon de vente créé"),
    "sale.update": _l("Brouillon de vente modifié"),
    "sale.submit": _l("Vente transmise à la caisse"),
    "sale.payment": _l("Paiement encaissé"),
    "sale.refund": _l("Vente remboursée"),
    "sale.cancel": _l("Vente annulée"),
    "sale.delete": _l("Brouillon de vente supprimé"),
    "approval.request": _l("Approbation demandée"),
    "approval.approved": _l("Approbation accordée"),
    "approval.rejected": _l("Approbation refusée"),
    "shift.open": _l("Caisse ouverte"),
    "shift.close": _l("Caisse fermée"),
    "shift.payout": _l("Sortie de caisse"),
    "stock.adjust": _l("Stock ajusté"),
    "stock_count.open": _l("Inventaire ouvert"),
    "stock_count.count": _l("Comptage saisi"),
    "stock_count.validate": _l("Inventaire validé"),
    "stock_count.cancel": _l("Inventaire annulé"),
    "transfer.create": _l("Transfert créé"),
    "transfer.update": _l("Transfert modifié"),
    "transfer.send": _l("Transfert envoyé"),
    "transfer.receive": _l("Transfert reçu"),
    "transfer.cancel": _l("Transfert annulé"),
    "purchase_order.create": _l("Commande fournisseur créée"),
    "purchase_order.update": _l("Commande fournisseur modifiée"),
    "purchase_order.send": _l("Commande fournisseur envoyée"),
    "purchase_order.cancel": _l("Commande fournisseur annulée"),
    "goods_receipt.create": _l("Réception de marchandises"),
    "customer.create": _l("Client créé"),
    "customer.update": _l("Client modifié"),
    "credit.open": _l("Compte client ouvert"),
    "credit.update": _l("Compte client modifié"),
    "credit.charge": _l("Vente à crédit"),
    "credit.opening": _l("Solde d'ouverture du compte"),
    "credit.reverse": _l("Écriture de crédit annulée"),
    "credit.repay": _l("Remboursement de crédit encaissé"),
    "credit.refund": _l("Avoir sur le compte client"),
    "catalog.import": _l("Import du catalogue"),
    "catalog.image_added": _l("Photo de produit ajoutée"),
    "store.assign_users": _l("Utilisateurs du magasin modifiés"),
    "user.stores": _l("Magasins de l'utilisateur modifiés"),
    "alert.acknowledge": _l("Alerte vue"),
    "alert.resolve": _l("Alerte résolue"),
}

OBJECT_LABELS = {
    "Sale": _l("Vente"), "Approval": _l("Approbation"), "Refund": _l("Remboursement"),
    "CashShift": _l("Session de caisse"), "InventoryMovement": _l("Mouvement de stock"),
    "StockCount": _l("Inventaire"), "Transfer": _l("Transfert"), "PurchaseOrder": _l("Commande fournisseur"),
    "GoodsReceipt": _l("Réception"), "Customer": _l("Client"), "CustomerAccount": _l("Compte client"),
    "Product": _l("Produit"), "ProductImage": _l("Photo de produit"), "Store": _l("Magasin"), "Alert": _l("Alerte"),
    "User": _l("Utilisateur"),
}

# object_type -> (table, column) that names a row for a person: its document number, sku or name.
REFERENCES = {
    "Sale": ("sale", "number"), "StockCount": ("stock_count", "number"), "Transfer": ("transfer", "number"),
    "PurchaseOrder": ("purchase_order", "number"), "Customer": ("customer", "name"),
    "Product": ("product", "sku"), "Store": ("store", "code"),
}

CHANGE_LABELS = {
    **FIELD_LABELS,
    "total": _l("Total"), "amount": _l("Montant"), "amount_paid": _l("Payé"), "amount_refunded": _l("Remboursé"),
    "method": _l("Mode de paiement"), "reason": _l("Motif"), "kind": _l("Type"), "details": _l("Détails"),
    "approval": _l("Approbation"), "refund": _l("Remboursement"), "payment": _l("Paiement"),
    "balance": _l("Solde"), "credit_limit": _l("Plafond de crédit"), "counted_cash": _l("Espèces comptées"),
    "expected_cash": _l("Espèces attendues"), "variance": _l("Écart"), "opening_float": _l("Fond de caisse"),
    "change_given": _l("Monnaie rendue"), "products": _l("Produits"), "differences": _l("Écarts"),
    "destination_store_id": _l("Magasin de destination"), "supplier_id": _l("Fournisseur"),
    "user_ids": _l("Utilisateurs"), "serials": _l("Numéros de série"), "unit_cost": _l("Coût unitaire"),
    "due_date": _l("Échéance"), "goods_returned": _l("Marchandise rendue"), "cashier": _l("Caissier"),
    "payout": _l("Sortie de caisse"), "rows": _l("Lignes"), "created": _l("Créés"), "updated": _l("Modifiés"),
    "unchanged": _l("Inchangés"), "file": _l("Fichier"), "filename": _l("Fichier"), "product_id": _l("Produit"),
    "store_ids": _l("Magasins"),
}

VALUE_LABELS = {
    "DRAFT": _l("Brouillon"), "PENDING_PAYMENT": _l("En attente de paiement"), "PAID": _l("Payée"),
    "PARTIALLY_PAID": _l("Partiellement payée"), "CANCELLED": _l("Annulé"), "REFUNDED": _l("Remboursée"), "OPEN": _l("Ouvert"), "CLOSED": _l("Fermé"),
    "VALIDATED": _l("Validé"), "SENT": _l("Envoyé"), "RECEIVED": _l("Reçu"), "PENDING": _l("En attente"),
    "APPROVED": _l("Approuvée"), "REJECTED": _l("Refusée"), "CASH": _l("Espèces"), "MOBILE_MONEY": _l("Mobile Money"),
    "BANK_TRANSFER": _l("Virement"), "CARD": _l("Carte"), "CREDIT": _l("Crédit"),
    True: _l("oui"), False: _l("non"), None: "—",
}


def action_text(code):
    return str(ACTION_LABELS.get(code, code))


def object_type_text(code):
    return str(OBJECT_LABELS.get(code, code))


def _reference(object_type, object_id):
    """The number/sku/name of the row, looked up once per request and object."""
    table_column = REFERENCES.get(object_type)
    if not table_column or not object_id or table_column[0] not in db.metadata.tables:
        return None
    cache = g.setdefault("audit_references", {}) if has_request_context() else {}
    key = (object_type, object_id)
    if key not in cache:
        table = db.metadata.tables[table_column[0]]
        try:
            row_id = int(object_id)
        except ValueError:
            return None
        cache[key] = db.session.execute(select(table.c[table_column[1]]).where(table.c.id == row_id)).scalar()
    return cache[key]


def object_text(object_type, object_id):
    """"Vente DLA1-FAC-2026-000006"; a draft without number: "Vente (brouillon n° interne 6)"."""
    label = object_type_text(object_type)
    if not object_id:
        return label
    reference = _reference(object_type, object_id)
    if reference:
        return f"{label} {reference}"
    if object_type == "Sale":
        return f"{label} {_l('(brouillon)')}"
    return f"{label} {object_id}"


def value_text(value):
    if isinstance(value, (bool, type(None))) or (isinstance(value, str) and value in VALUE_LABELS):
        return str(VALUE_LABELS.get(value, value))
    if isinstance(value, (list, tuple)):
        return ", ".join(value_text(v) for v in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{CHANGE_LABELS.get(k, k)} : {value_text(v)}" for k, v in value.items()) or "—"
    return str(value)


def changes(before, after):
    """[(field label, old text, new text)] for the fields that differ; a field only on one side
    shows "—" on the other."""
    before = before if isinstance(before, dict) else ({} if before is None else {"": before})
    after = after if isinstance(after, dict) else ({} if after is None else {"": after})
    rows = []
    for key in list(before) + [k for k in after if k not in before]:
        old, new = before.get(key), after.get(key)
        if old == new and (key in before and key in after or old is None):
            continue  # unchanged, or nothing on either side
        rows.append((str(CHANGE_LABELS.get(key, key)), value_text(old) if key in before else "—",
                     value_text(new) if key in after else "—"))
    return rows


def changes_table(before, after):
    rows = changes(before, after)
    if not rows:
        return Markup("—")
    head = Markup('<table class="table table-condensed table-bordered" data-testid="audit-changes"><thead><tr>'
                  "<th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>").format(_l("Champ"), _l("Avant"), _l("Après"))
    body = Markup("").join(Markup("<tr><td>{}</td><td>{}</td><td>{}</td></tr>").format(*row) for row in rows)
    return head + body + Markup("</tbody></table>")


def _choices(labels):
    """(code, lazy label) pairs in the order of the French labels (the msgids)."""
    return sorted(labels.items(), key=lambda choice: choice[1]._args[0].lower())


def action_choices():
    return _choices(ACTION_LABELS)


def object_type_choices():
    return _choices(OBJECT_LABELS)
