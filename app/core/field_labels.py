"""French labels of the fields that many APIs share, for the `_info` answers of APIs that do not
label them: FAB would otherwise make English ones from the column names ("Created At")."""
from flask_babel import lazy_gettext as _l

FIELD_LABELS = {
    "store": _l("Magasin"), "product": _l("Produit"), "quantity": _l("Quantité"), "reserved": _l("Réservé"),
    "email": _l("Adresse e-mail"), "phone": _l("Téléphone"), "tax_id": _l("N° contribuable"),
    "is_active": _l("Actif"), "note": _l("Note"), "description": _l("Description"), "name": _l("Nom"),
    "code": _l("Code"), "cancel_reason": _l("Motif d'annulation"), "created_at": _l("Créé le"),
    "created_by": _l("Créé par"), "lines": _l("Lignes"), "number": _l("Numéro"), "status": _l("Statut"),
    "validated_at": _l("Validé le"), "validated_by": _l("Validé par"), "balance_after": _l("Solde après"),
    "reference": _l("Référence"), "reference_id": _l("Identifiant de la référence"),
    "reference_type": _l("Type de référence"), "type": _l("Type"), "user": _l("Utilisateur"),
    "destination_store": _l("Magasin de destination"), "customer": _l("Client"), "items": _l("Articles"),
    "unit_cost": _l("Coût unitaire HT"),
}


def field_info_text(api, name):
    """(label, description) of a field for `_info`: the API's own label, else ours when FAB made
    one up from the column name; the description only when one was written (gettext("") would
    answer the translation catalog's header)."""
    label = api.label_columns.get(name)
    if not label or str(label) == api._prettify_column(name):
        label = FIELD_LABELS.get(name, label or name)
    description = api.description_columns.get(name)
    return str(label), str(description) if description else ""
