"""The roles screen in words: FAB's "can_read on Sale" pairs as "Ventes : consulter", grouped
by area (Ventes, Caisse, Stock...). A pair not listed here still shows, in its raw name, under
Administration: a new permission is never hidden from the admin."""
from collections import OrderedDict

from flask_appbuilder.security.views import RoleModelView as FabRoleModelView
from flask_appbuilder.widgets import ListWidget, ShowWidget
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from ..core.views import ROLE_LABELS

AREAS = [_l("Ventes"), _l("Caisse"), _l("Stock"), _l("Catalogue"), _l("Crédit"), _l("Achats"), _l("Rapports"),
         _l("Alertes"), _l("Administration")]
SALES, TILL, STOCK, CATALOG, CREDIT, PURCHASES, REPORTS, ALERTS, ADMINISTRATION = AREAS

# view (or menu) name -> (area, what it is about)
SUBJECTS = {
    "Sale": (SALES, _l("ventes")), "Approval": (SALES, _l("approbations")), "Refund": (SALES, _l("remboursements")),
    "WarrantyView": (SALES, _l("garanties")), "Customer": (SALES, _l("clients")),
    "SaleDocument": (SALES, _l("factures et tickets")), "Pos": (SALES, _l("point de vente")),
    "CashShift": (TILL, _l("caisses")), "Payment": (TILL, _l("paiements")), "Till": (TILL, _l("encaissement")),
    "ShiftVarianceView": (TILL, _l("écarts de caisse")),
    "ProductStock": (STOCK, _l("niveaux de stock")), "InventoryMovement": (STOCK, _l("mouvements de stock")),
    "Transfer": (STOCK, _l("transferts")), "StockCount": (STOCK, _l("inventaires")),
    "Product": (CATALOG, _l("produits")), "Category": (CATALOG, _l("catégories")), "Brand": (CATALOG, _l("marques")),
    "CreditAccount": (CREDIT, _l("comptes crédit")),
    "Supplier": (PURCHASES, _l("fournisseurs")), "PurchaseOrder": (PURCHASES, _l("bons de commande")),
    "GoodsReceipt": (PURCHASES, _l("réceptions")),
    "Report": (REPORTS, _l("rapports")), "ReportsView": (REPORTS, _l("tableau de bord et rapport des ventes")),
    "Alert": (ALERTS, _l("alertes")), "AlertView": (ALERTS, _l("alertes (écran)")),
    "Store": (ADMINISTRATION, _l("magasins")), "StoreUser": (ADMINISTRATION, _l("affectations aux magasins")),
    "User": (ADMINISTRATION, _l("utilisateurs (API)")), "UserDBModelView": (ADMINISTRATION, _l("utilisateurs")),
    "RoleModelView": (ADMINISTRATION, _l("rôles")), "AuditLog": (ADMINISTRATION, _l("journal d'audit")),
    "UserInfoEditView": (ADMINISTRATION, _l("son profil")),
    "ResetMyPasswordView": (ADMINISTRATION, _l("son mot de passe")),
    "ResetPasswordView": (ADMINISTRATION, _l("mots de passe des utilisateurs")),
    "MenuApi": (ADMINISTRATION, _l("menus (API)")), "OpenApi": (ADMINISTRATION, _l("documentation de l'API")),
    "SwaggerView": (ADMINISTRATION, _l("documentation de l'API")),
}
# menu entries -> area (the words are the menu's own label)
MENUS = {
    "sales": SALES, "sale_list": SALES, "approvals": SALES, "refunds": SALES, "warranty": SALES,
    "customers": SALES, "pos_seller": SALES,
    "cashier": TILL, "payments": TILL, "shifts": TILL, "shift_variances": TILL, "pos_cashier": TILL,
    "stock": STOCK, "stock_counts": STOCK, "stock_levels": STOCK, "stock_movements": STOCK,
    "stock_serials": STOCK, "transfers": STOCK,
    "catalog": CATALOG, "categories": CATALOG, "brands": CATALOG, "products": CATALOG, "product_excel": CATALOG,
    "credit_accounts": CREDIT,
    "suppliers": PURCHASES, "purchase_orders": PURCHASES, "goods_receipts": PURCHASES,
    "report_dashboard": REPORTS, "report_sales": REPORTS,
}
ACTIONS = {
    "can_read": _l("consulter"), "can_write": _l("créer et modifier"), "can_delete": _l("supprimer"),
    "can_list": _l("lister"), "can_show": _l("voir"), "can_add": _l("ajouter"), "can_edit": _l("modifier"),
    "can_download": _l("télécharger"), "can_approve": _l("approuver"), "can_cancel": _l("annuler"),
    "can_refund": _l("rembourser"), "can_submit": _l("transmettre à la caisse"), "can_queue": _l("file d'attente"),
    "can_open": _l("ouvrir"), "can_close": _l("fermer"), "can_payout": _l("sortir des espèces"),
    "can_cash": _l("encaisser"), "can_sell": _l("vendre"), "can_repay": _l("encaisser un remboursement"),
    "can_validate": _l("valider"), "can_export": _l("exporter"), "can_import": _l("importer"),
    "can_assign": _l("affecter le personnel"), "can_lookup": _l("rechercher"),
    "can_acknowledge": _l("prendre en charge"), "can_resolve": _l("clore"), "can_count": _l("compter"),
    "can_dashboard": _l("tableau de bord"), "can_sales": _l("rapport des ventes"),
    "can_this_form_get": _l("ouvrir le formulaire"), "can_this_form_post": _l("enregistrer le formulaire"),
    "can_userinfo": _l("voir son profil"), "userinfoedit": _l("modifier son profil"),
    "resetmypassword": _l("changer son mot de passe"), "resetpasswords": _l("changer un mot de passe"),
    "can_get": _l("lire"), "copyrole": _l("copier"), "can_chart": _l("graphique"),
}


def _menu_label(name):
    from flask import current_app

    for item in current_app.appbuilder.menu.get_list():
        for entry in [item, *(item.childs or [])]:
            if entry.name == name:
                return str(entry.label)
    return name


def _describe(pv):
    """(area, subject, action) of a permission-on-view; for a menu entry the subject is None and
    the action the menu's label."""
    view, permission = pv.view_menu.name, pv.permission.name
    if permission == "menu_access":
        return str(MENUS.get(view, ADMINISTRATION)), None, _menu_label(view)
    area, subject = SUBJECTS.get(view, (ADMINISTRATION, view))
    return str(area), str(subject), str(ACTIONS.get(permission, permission))


def permission_label(pv):
    """One permission in a sentence, as the role form's choices read: "Ventes · ventes : annuler"."""
    area, subject, action = _describe(pv)
    if subject is None:
        return f"{area} · {_l('menu « %(name)s »', name=action)}"
    return f"{area} · {subject} : {action}"


def permissions_by_area(permission_views):
    """{area: ["Ventes : annuler, consulter", "Menus : Approbations, Ventes"]}, areas in AREAS order."""
    grouped = OrderedDict((str(area), OrderedDict()) for area in AREAS)
    menus = OrderedDict((str(area), []) for area in AREAS)
    for pv in permission_views:
        area, subject, action = _describe(pv)
        if subject is None:
            menus[area].append(action)
        else:
            grouped[area].setdefault(subject, []).append(action)
    result = OrderedDict()
    for area, subjects in grouped.items():
        lines = [f"{subject[:1].upper()}{subject[1:]} : {', '.join(sorted(actions))}" for subject, actions in subjects.items()]
        if menus[area]:
            lines.append(str(_l("Menus : %(names)s", names=", ".join(sorted(set(menus[area]), key=str.lower)))))
        if lines:
            result[area] = lines
    return result


def permissions_html(permission_views):
    """The roles screen's cell: one paragraph per area."""
    return Markup("").join(
        Markup('<div class="permission-area" data-area="{0}"><strong>{0}</strong><br>{1}</div>').format(
            area, Markup("<br>").join(escape(line) for line in lines))
        for area, lines in permissions_by_area(permission_views or []).items())


class RoleModelView(FabRoleModelView):
    """FAB's roles screen with the words above: its own widgets ignore formatters, the plain ones use them."""

    list_widget = ListWidget
    show_widget = ShowWidget
    list_title = _l("Rôles")
    show_title = _l("Rôle")
    label_columns = {"name": _l("Rôle"), "permissions": _l("Droits, par domaine")}
    formatters_columns = {
        "name": lambda name: f"{ROLE_LABELS[name]} ({name})" if name in ROLE_LABELS else name,
        "permissions": permissions_html,
    }

    def _init_forms(self):
        super()._init_forms()
        for form in (self.add_form, self.edit_form):  # the choices in words too, not "can_read on Sale"
            form.permissions.kwargs["get_label"] = permission_label
