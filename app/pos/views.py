"""The seller's POS (/pos/) and the cashier's till (/cashier/); their PDF routes and the public
/verify/<token> page live with the documents they draw (documents.py).

Each endpoint: read the form -> call a service (sales, cashier, customers, catalog) ->
render a fragment. Refusals (domain errors) become French alerts (see web.py).
"""
import hashlib
import uuid
from urllib.parse import quote

from flask import current_app, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l

from ..cashier import services as till
from ..cashier.models import MOBILE_OPERATORS, SHORT_METHOD_LABELS
from ..catalog import services as catalog
from ..core.errors import DomainError, Forbidden, NotFound
from ..core.ids import row_id, row_id_or_none
from ..core.inputs import MISSING
from ..core.money import currency_unit
from ..core.scoping import acting_user
from ..core.views import add_entry_point, add_landing
from ..customers import services as customers
from ..customers.models import Customer
from ..core.web import password_failures_limited
from ..extensions import db
from ..sales import services as sales
from ..sales.models import OPEN_FOR_PAYMENT
from ..sales.totals import sale_totals
from ..stock import services as stock
from . import cart as carts
from . import documents, queries
from .web import PosBaseView

PAY_METHODS = ("CASH", "MOBILE_MONEY", "BANK_TRANSFER", "CARD")
QUEUE_POLL_SECONDS = 3
SEARCH_MIN_CHARS = 3  # as-you-type search starts at the third character (Enter searches anything)
DAY_POLL_SECONDS = 15
SERIAL_CHOICES = 200


def plain_amount(amount, currency="XAF"):
    """15000.00 -> '15000' for an <input> (no grouping, the currency's own decimals)."""
    if amount is None:
        return ""
    return format(amount.quantize(currency_unit(currency)), "f")


def form_text(name):
    """A typed value; spaces a locale puts in numbers (1 500, 1\u202f500) are dropped for amounts."""
    value = request.form.get(name)
    return value.strip() if isinstance(value, str) else value


def form_amount(name):
    value = form_text(name)
    if value:
        value = value.replace("\u00a0", "").replace("\u202f", "").replace(" ", "")
    return value


def form_id(name):
    return row_id_or_none(form_text(name))


def choose_store(view, stores, endpoint, title):
    """One store: go straight to it; several: pick one; none: say so."""
    if len(stores) == 1:
        return redirect(url_for(endpoint, store_id=stores[0].id))
    return view.page("pos/stores.html", stores=stores, endpoint=endpoint, title=title)


# --- the seller ---------------------------------------------------------------------------------

class SellerPosView(documents.InvoicePage, PosBaseView):
    """/pos/: search or scan, the cart (a DRAFT sale), customer, discount, approval, submit."""

    route_base = "/pos"
    class_permission_name = "Pos"
    permission = "sell"

    @expose("/")
    @has_access
    def index(self):
        return choose_store(self, queries.user_stores(acting_user()), "SellerPosView.store",
                            _l("Point de vente"))

    @expose("/<int:store_id>/")
    @has_access
    def store(self, store_id):
        user = acting_user()
        store = queries.store_for(user, store_id)
        cart = queries.current_draft(user, store, request.args.get("sale", type=row_id))
        return self.page("pos/seller.html", store=store, stores=queries.user_stores(user),
                         **self._cart_context(store, cart), day=queries.sales_of_the_day(user, store),
                         day_poll=DAY_POLL_SECONDS)

    # -- products
    @expose("/<int:store_id>/search")
    @has_access
    def search(self, store_id):
        """Results as the seller types (the catalog's POS search, with this store's stock)."""
        store = queries.store_for(acting_user(), store_id)
        q = " ".join(request.args.get("q", "").split())
        hint = None
        if len(q) < SEARCH_MIN_CHARS:  # one or two letters match thousands of products: wait for a third
            results, hint = [], _l("Tapez au moins %(count)s caractères.", count=SEARCH_MIN_CHARS) if q else None
        else:
            results = catalog.search_products(q, store.id)
        response = self.fragment("pos/_results.html", results=results, q=q, store=store, hint=hint)
        response.headers["X-Pos-Query"] = quote(q)  # the page drops answers to an older query
        return response

    @expose("/<int:store_id>/scan", methods=["POST"])
    @has_access
    def scan(self, store_id):
        """Enter in the search box (a scanner types the barcode then Enter): an exact barcode
        or reference adds the product at once; one single result too; else the results show."""
        user = acting_user()
        store = queries.store_for(user, store_id)
        q = (form_text("q") or "").strip()
        results = catalog.search_products(q, store.id) if q else []
        exact = [r for r in results if r["barcode"] == q or r["sku"].lower() == q.lower()]
        chosen = exact[0] if exact else (results[0] if len(results) == 1 else None)
        unit = queries.serial_on_the_shelf(store, q) if not exact else None
        if unit is not None:  # a serial number / IMEI: the unit's product, with its serial
            cart = carts.add_unit_with_serial(user, store, self._form_cart(user, store), *unit)
            return self._cart(store, cart, trigger={"pos:scanned": unit.serial})
        if chosen is None:
            response = self.fragment("pos/_results.html", results=results, q=q, store=store,
                                     hint=_l("Aucun produit ne correspond à « %(q)s ».", q=q) if not results
                                     else _l("Plusieurs produits : choisissez dans la liste."))
            response.headers["HX-Retarget"] = "#results"
            response.headers["HX-Reswap"] = "innerHTML"
            response.headers["X-Pos-Query"] = ""
            return response
        cart = self._form_cart(user, store)
        cart = carts.add_product(user, store, cart, chosen["id"])
        return self._cart(store, cart, trigger={"pos:scanned": chosen["name"]})

    # -- the cart
    @expose("/<int:store_id>/cart/add", methods=["POST"])
    @has_access
    def add(self, store_id):
        user = acting_user()
        store = queries.store_for(user, store_id)
        product_id = form_id("product")
        if product_id is None:
            raise NotFound(_l("Produit introuvable."))
        cart = self._form_cart(user, store)
        cart = carts.add_product(user, store, cart, product_id)
        return self._cart(store, cart, trigger={"pos:added": product_id})

    @expose("/<int:store_id>/cart/<int:sale_id>/line/<int:index>", methods=["POST"])
    @has_access
    def line(self, store_id, sale_id, index):
        user, store, cart = self._draft(store_id, sale_id)
        serials = MISSING
        if "serials" in request.form:
            serials = [s.strip() for s in request.form.getlist("serials") if s.strip()]
        values = {name: form_amount(name) for name in ("unit_price", "discount") if name in request.form}
        if "quantity" in request.form:
            values["quantity"] = form_text("quantity")
        cart = carts.change_line(user, cart, index, form_id("product"), serials=serials, **values)
        return self._cart(store, cart)

    @expose("/<int:store_id>/cart/<int:sale_id>/line/<int:index>/remove", methods=["POST"])
    @has_access
    def remove(self, store_id, sale_id, index):
        user, store, cart = self._draft(store_id, sale_id)
        cart = carts.remove_line(user, cart, index, form_id("product"))
        return self._cart(store, cart)

    @expose("/<int:store_id>/cart/<int:sale_id>/discount", methods=["POST"])
    @has_access
    def discount(self, store_id, sale_id):
        user, store, cart = self._draft(store_id, sale_id)
        cart = carts.set_discount(user, cart, form_amount("discount") or "0")
        return self._cart(store, cart)

    @expose("/<int:store_id>/cart/<int:sale_id>/delete", methods=["POST"])
    @has_access
    def drop(self, store_id, sale_id):
        user, store, cart = self._draft(store_id, sale_id)
        sales.delete_draft(user, cart.id)
        return self._cart(store, None, new_sale=True)

    @expose("/<int:store_id>/cart/new")
    @has_access
    def new(self, store_id):
        """An empty cart (the next item starts a new draft); earlier drafts stay in the day's list."""
        store = queries.store_for(acting_user(), store_id)
        return self._cart(store, None, new_sale=True)

    @expose("/<int:store_id>/cart/<int:sale_id>")
    @has_access
    def resume(self, store_id, sale_id):
        user, store, cart = self._draft(store_id, sale_id)
        return self._cart(store, cart)

    # -- customer
    @expose("/<int:store_id>/customers")
    @has_access
    def customers(self, store_id):
        user = acting_user()
        store = queries.store_for(user, store_id)
        if request.args.get("dialog"):
            return self.fragment("pos/_customer_dialog.html", store=store, sale_id=request.args.get("sale", ""),
                                 can_create=self._can_create_customers(), trigger={"pos:dialog": "open"})
        found = queries.search_customers(user, store, request.args.get("q", ""))
        return self.fragment("pos/_customer_results.html", customers=found, store=store,
                             sale_id=request.args.get("sale", ""), display_phone=customers.display_phone)

    @expose("/<int:store_id>/customers", methods=["POST"])
    @has_access
    def create_customer(self, store_id):
        """Quick-create: the customers service checks and normalises (phone in E.164, default CM)."""
        user = acting_user()
        store = queries.store_for(user, store_id)
        if not self._can_create_customers():
            raise Forbidden(_l("Vous ne pouvez pas créer de client."))
        customer = Customer(name=form_text("name"), phone=form_text("phone"), email=form_text("email"),
                            tax_id=form_text("tax_id"), store_id=store.id)
        customers.save_customer(user, customer)
        cart = carts.set_customer(user, store, self._form_cart(user, store), customer.id)
        return self._cart(store, cart, trigger={"pos:dialog": "close"})

    @expose("/<int:store_id>/cart/customer", methods=["POST"])
    @has_access
    def choose_customer(self, store_id):
        user = acting_user()
        store = queries.store_for(user, store_id)
        cart = self._form_cart(user, store)
        cart = carts.set_customer(user, store, cart, form_id("customer"))
        return self._cart(store, cart, trigger={"pos:dialog": "close"})

    # -- submit and approval
    @expose("/<int:store_id>/cart/<int:sale_id>/submit", methods=["POST"])
    @has_access
    def submit(self, store_id, sale_id):
        user, store, cart = self._draft(store_id, sale_id)
        try:
            sale = sales.submit_sale(user, cart.id)
        except sales.ApprovalRequired as exc:
            db.session.rollback()
            cart = queries.current_draft(user, store, sale_id)
            return self.fragment("pos/_approval_dialog.html", store=store, cart=cart, message=exc.message,
                                 approvals=exc.approvals, trigger={"pos:dialog": "open"},
                                 retarget="#dialog-content")
        return self._submitted(store, sale)

    @expose("/<int:store_id>/cart/<int:sale_id>/approve", methods=["POST"])
    @has_access
    @password_failures_limited(lambda: form_text("email"), failed_status=403)  # the email's one budget
    def approve(self, store_id, sale_id):
        """The manager types their email and password at the seller's screen: the approvals the
        draft needs are granted in the manager's name, then the sale goes to the till."""
        user, store, cart = self._draft(store_id, sale_id)
        sales.approve_on_the_spot(user, cart.id, form_text("email"), request.form.get("password") or "")
        sale = sales.submit_sale(user, cart.id)
        return self._submitted(store, sale, trigger={"pos:dialog": "close"})

    # -- the day
    @expose("/<int:store_id>/day")
    @has_access
    def day(self, store_id):
        user = acting_user()
        store = queries.store_for(user, store_id)
        return self.fragment("pos/_day.html", store=store, day=queries.sales_of_the_day(user, store),
                             day_poll=DAY_POLL_SECONDS, current_id=request.args.get("current", type=row_id))

    # -- helpers
    def _form_cart(self, user, store):
        """The cart the page shows (the form's `sale`): "new" (none yet) or one of the seller's drafts."""
        raw = form_text("sale")
        if raw in (None, "", "new"):
            return None
        return self._draft(store.id, form_id("sale") or 0)[2]

    def _draft(self, store_id, sale_id):
        user = acting_user()
        store = queries.store_for(user, store_id)
        cart = queries.current_draft(user, store, sale_id)
        if cart is None:
            sale = sales.get_sale(user, sale_id)  # 404 outside the user's stores
            if sale.store_id != store.id:
                raise NotFound(_l("Vente introuvable."))
            raise carts.CartChanged(_l("Cette vente n'est plus un brouillon à vous (%(status)s).",
                                       status=sales.status_label(sale.status)))
        return user, store, cart

    @staticmethod
    def _can_create_customers():
        from flask import current_app

        return current_app.appbuilder.sm.has_access("can_write", "Customer")

    def _cart_context(self, store, cart, new_sale=False):
        totals = sale_totals(cart) if cart is not None else None
        needs = sales.required_approvals(cart, totals) if cart is not None and cart.items else {}
        flagged = {entry["product"] for entry in needs.get("PRICE_FLOOR", {}).get("items", [])}
        serial_choices = {}
        if cart is not None:
            for item in cart.items:
                if item.product.track_serial and item.product_id not in serial_choices:
                    serial_choices[item.product_id] = stock.serials_on_hand(store.id, item.product_id)[:SERIAL_CHOICES]
        granted = [a for a in cart.approvals if a.status == "APPROVED"] if cart is not None else []
        return {"cart": cart, "totals": totals, "needs": needs, "flagged": flagged, "granted": granted,
                "serial_choices": serial_choices, "currency": store.currency or "XAF", "plain": plain_amount,
                "new_sale": new_sale, "display_phone": customers.display_phone}

    def _cart(self, store, cart, trigger=None, new_sale=False):
        return self.fragment("pos/_cart.html", store=store, trigger=trigger, oob_day=False,
                             **self._cart_context(store, cart, new_sale=new_sale))

    def _submitted(self, store, sale, trigger=None):
        user = acting_user()
        return self.fragment("pos/_submitted.html", store=store, sale=sale, currency=store.currency or "XAF",
                             day=queries.sales_of_the_day(user, store), day_poll=DAY_POLL_SECONDS,
                             trigger=dict(trigger or {}, **{"pos:submitted": sale.number}))


# --- the cashier --------------------------------------------------------------------------------

class CashierPosView(documents.TillDocumentPages, PosBaseView):
    """/cashier/: open a shift, the queue (polled), a sale's detail, payments, blind close, Z report."""

    route_base = "/cashier"
    class_permission_name = "Till"
    permission = "cash"

    @expose("/")
    @has_access
    def index(self):
        return choose_store(self, queries.user_stores(acting_user()), "CashierPosView.store", _l("Caisse"))

    @expose("/<int:store_id>/")
    @has_access
    def store(self, store_id):
        user = acting_user()
        store = queries.store_for(user, store_id)
        shift = till.open_shift_of(user.id, store.id)
        context = self._workspace_context(store, shift, request.args.get("sale", type=row_id))
        return self.page("pos/cashier/page.html", store=store, stores=queries.user_stores(user), **context)

    @expose("/<int:store_id>/shift/open", methods=["POST"])
    @has_access
    def open_shift(self, store_id):
        user = acting_user()
        store = queries.store_for(user, store_id)
        shift = till.open_shift(user, store.id, form_amount("opening_float"))
        return self.fragment("pos/cashier/_workspace.html", store=store, **self._workspace_context(store, shift))

    @expose("/<int:store_id>/queue")
    @has_access
    def queue(self, store_id):
        """The sales waiting for payment; 204 (nothing to redraw) when unchanged since `v`."""
        user = acting_user()
        store = queries.store_for(user, store_id)
        queue = _queue(sales.payment_queue(user, [store.id]))
        if request.args.get("v") == queue["version"]:
            return "", 204
        return self.fragment("pos/cashier/_queue.html", store=store, **queue,
                             selected=request.args.get("selected", type=row_id), poll=QUEUE_POLL_SECONDS,
                             currency=store.currency or "XAF")

    @expose("/<int:store_id>/sale/<int:sale_id>")
    @has_access
    def sale(self, store_id, sale_id):
        user = acting_user()
        store = queries.store_for(user, store_id)
        sale = self._sale_of(user, store, sale_id)
        return self.fragment("pos/cashier/_detail.html", **self._detail_context(store, sale),
                             trigger={"pos:selected": sale.id})

    @expose("/<int:store_id>/sale/<int:sale_id>/pay", methods=["POST"])
    @has_access
    def pay(self, store_id, sale_id):
        """One payment (cash, mobile money, transfer, card). The form's idempotency key makes a
        double click (or a resent request) return the first payment and charge nothing."""
        user = acting_user()
        store = queries.store_for(user, store_id)
        self._sale_of(user, store, sale_id)
        method = form_text("method")
        result = till.take_payment(
            user, sale_id, method, form_amount("amount"),
            tendered=form_amount("tendered") if method == "CASH" else None,
            operator=form_text("operator") if method == "MOBILE_MONEY" else None,
            reference=form_text("reference") if method != "CASH" else None,
            reserve=bool(request.form.get("reserve")), idempotency_key=form_text("idempotency_key"))
        sale = sales.get_sale(user, sale_id)
        return self.fragment("pos/cashier/_detail.html", **self._detail_context(store, sale),
                             paid=result.payment, replayed=result.replayed, oob_queue=True,
                             **_queue(sales.payment_queue(user, [store.id])), poll=QUEUE_POLL_SECONDS, selected=sale.id,
                             trigger={"pos:paid": sale.status})

    @expose("/<int:store_id>/shift/close")
    @has_access
    def close_form(self, store_id):
        """The blind close: counted figures first; no expected figure is on this form."""
        user = acting_user()
        store = queries.store_for(user, store_id)
        shift = till.open_shift_of(user.id, store.id)
        if shift is None:
            raise NotFound(_l("Aucune caisse ouverte à votre nom dans ce magasin."))
        return self.fragment("pos/cashier/_close_dialog.html", store=store, shift=shift,
                             currency=store.currency or "XAF", trigger={"pos:dialog": "open"})

    @expose("/<int:store_id>/shift/<int:shift_id>/close", methods=["POST"])
    @has_access
    def close(self, store_id, shift_id):
        user = acting_user()
        store = queries.store_for(user, store_id)
        shift = queries.visible_shift(shift_id)
        if shift.store_id != store.id:
            raise NotFound(_l("Caisse introuvable."))
        shift, figures = till.close_shift(
            user, shift.id, form_amount("counted_cash"), counted_mobile_money=form_amount("counted_mobile_money"),
            counted_bank_transfer=form_amount("counted_bank_transfer"), counted_card=form_amount("counted_card"),
            note=form_text("note"))
        return self.fragment("pos/cashier/_closed.html", store=store, shift=shift,
                             doc=documents.shift_doc(shift), currency=store.currency or "XAF",
                             trigger={"pos:dialog": "close"})

    # -- helpers
    @staticmethod
    def _sale_of(user, store, sale_id):
        sale = sales.get_sale(user, sale_id)
        if sale.store_id != store.id:
            raise NotFound(_l("Vente introuvable."))
        return sale

    def _workspace_context(self, store, shift, selected=None):
        user = acting_user()
        waiting = sales.payment_queue(user, [store.id]) if shift is not None else []
        detail = None
        if shift is not None and selected:
            try:
                detail = self._detail_context(store, self._sale_of(user, store, selected))
            except DomainError:
                db.session.rollback()
        return {"shift": shift, **_queue(waiting), "poll": QUEUE_POLL_SECONDS, "selected": selected, "detail": detail,
                "currency": store.currency or "XAF"}

    @staticmethod
    def _detail_context(store, sale):
        return {"store": store, "sale": sale, "totals": sale_totals(sale), "currency": store.currency or "XAF",
                "plain": plain_amount, "payable": sale.status in OPEN_FOR_PAYMENT, "methods": PAY_METHODS,
                "operators": MOBILE_OPERATORS, "idempotency_key": uuid.uuid4().hex,
                "method_label": documents.method_label, "short_labels": SHORT_METHOD_LABELS,
                "display_phone": customers.display_phone}


def _queue(waiting):
    """What the queue fragment shows: the waiting sales; `late`, {sale id: "2 h 35" or "45 min"} of
    those waiting longer than their store allows; and a `version` that changes whenever a sale
    enters, leaves, is paid in part or starts waiting too long (the poll answers 204 otherwise)."""
    minutes = {sale.id: sales.minutes_waiting_too_long(sale) for sale in waiting}
    late = {sale_id: f"{waited // 60} h {waited % 60:02d}" if waited >= 60 else f"{waited} min"
            for sale_id, waited in minutes.items() if waited}
    state = ";".join(f"{s.id}:{s.status}:{s.amount_paid}:{s.total}:{s.id in late}" for s in waiting)
    return {"waiting": waiting, "late": late, "version": hashlib.sha1(state.encode()).hexdigest()[:16]}


def register(appbuilder):
    appbuilder.add_view_no_menu(SellerPosView)
    appbuilder.add_view_no_menu(CashierPosView)
    appbuilder.add_link("pos_seller", label=_l("Point de vente"), href="/pos/", icon="fa-shopping-cart")
    appbuilder.add_link("pos_cashier", label=_l("Caisse"), href="/cashier/", icon="fa-money")
    app = current_app._get_current_object()
    app.register_blueprint(documents.verify_blueprint)
    app.add_template_global(sales.status_label, "sale_status_label")
    add_entry_point(_l("Point de vente"), "SellerPosView.index", "fa-shopping-cart", ("can_sell", "Pos"))
    add_entry_point(_l("Caisse"), "CashierPosView.index", "fa-money", ("can_cash", "Till"))
    add_landing("SALES", "SellerPosView.index")  # after login, each lands where the work is
    add_landing("CASHIER", "CashierPosView.index")
