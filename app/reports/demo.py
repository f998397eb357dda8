"""`flask seed-demo-data`: a deterministic history of the demo shops for the dashboard and reports (SPEC §12).

The days up to now (today's tills still open) are played store by store and hour by hour from a
fixed random seed, and every row is the one the app itself would have written (same statuses,
numbers, ledgers):
- sales submitted by the sellers (invoice numbers XXX-FAC-YYYY-NNNNNN from the store's sequence),
  paid at the till in one or two payments (cash with change, mobile money, card, transfer), paid
  partly with the goods reserved and the rest days later, put on a customer's credit account (the
  DEBIT entry and its installments, repaid later at the till, some late), left unpaid and
  cancelled by the manager (a deposit given back in cash), refunded in part or in full (refund
  lines, RETURN movements unless defective), a few with a discount a manager approved;
- one shift per store and day, closed with the counted cash a little off the expected cash now
  and then; small cash payouts;
- purchase orders sent to suppliers when the stock runs low and received days later (PURCHASE
  movements at the order's unit cost, the weighted average cost recorded on each receipt line),
  or, for the other stores, a transfer from the main store (the first) when it has enough;
- each SALE and RETURN movement records the product's cost at that moment (true margins), the
  stock rows equal the sum of their movements, the accounts' balances the sum of their ledgers.
Rows are built in memory and written with bulk INSERTs (explicit ids), then the numbering
sequences, stock rows, costs and id sequences are brought up to date, the KPI snapshots of the
last SNAPSHOT_DAYS days written (as the 01:00 job would have) and the alert jobs run once.
Serial-tracked products keep their seeded stock (the history sells the other products).
"""
import heapq
import json
import math
import random
from collections import defaultdict
from datetime import datetime, time, timedelta, timezone
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, bindparam, func, insert, select, update

from ..catalog.models import Category, Product
from ..core.days import DEFAULT_ZONE
from ..core.models import Sequence
from ..core.money import money_text
from ..credits.services import add_months
from ..extensions import db
from ..purchases.services import ORDER_DOC_TYPE, weighted_average_cost
from ..sales.models import Sale
from ..sales.totals import LineInput, compute_totals
from ..stock.models import ProductStock
from ..stock.services import TRANSFER_DOC_TYPE
from ..stores.models import Store, StoreUser
from . import services

INVOICE = "FAC"
EXTRA_STORES = [("BAF1", "Bafoussam Marché A"), ("GAR1", "Garoua Centre"), ("KRI1", "Kribi Plage"),
                ("LIM1", "Limbé Down Beach"), ("BUE1", "Buea Molyko"), ("EBO1", "Ebolowa Centre")]
# Sales on an ordinary day, per store in store order (Saturdays, month ends and the years add more).
BASE_SALES = [14, 11, 8, 7, 9, 6, 7, 6]
FIRST_NAMES = ["Brice", "Nadine", "Serge", "Rose", "Aïcha", "Paul", "Sandrine", "Hervé", "Mireille", "Yannick",
               "Estelle", "Joël", "Linda", "Boris", "Chantal", "Franck"]
LAST_NAMES = ["Kamga", "Fouda", "Atangana", "Nkoulou", "Bello", "Tchoupo", "Mbarga", "Ngono", "Essomba", "Djoumessi",
              "Owona", "Tchakounté", "Abena", "Manga", "Nana", "Biya"]
STAFF_PASSWORDS = {"SALES": ("vendeur", "vendeur123!"), "CASHIER": ("caissier", "caissier123!")}
CUSTOMERS = ["Ets. Ndjock & Frères", "Cabinet Médical La Grâce", "Hôtel du Wouri", "Collège Saint-Michel",
             "Cyber Café Le Net", "Pharmacie du Marché", "Jean-Pierre Mbida", "Alice Ngo Bassa", "Samuel Eto'o Kemajou",
             "Grâce Tchuente", "SARL Bâtir Plus", "Boulangerie La Renaissance", "Pauline Ewane", "Ibrahim Moussa"]
CREDIT_LIMITS = [Decimal("1500000"), Decimal("1000000"), Decimal("750000"), Decimal("500000"), Decimal("300000")]
SUPPLIERS = {  # root category -> (name, phone, email, tax id, address)
    "Informatique": ("CFAO Technologies Cameroun", "+237233430010", "ventes@cfao-tech.cm", "M041200001234K",
                     "Rue Joss, Bonanjo, Douala"),
    "Réseau": ("Afrique Réseaux SARL", "+237233420511", "commandes@afrique-reseaux.cm", "M051500004321P",
               "Boulevard de la République, Douala"),
    "Téléphonie": ("Mobile Center Import", "+237699001122", "import@mobilecenter.cm", "M061700005678Q",
                   "Marché Central, Yaoundé"),
    None: ("Tech Distribution Cameroun", "+237222201300", "contact@techdistrib.cm", "M031100008765R",
           "Avenue Kennedy, Yaoundé"),
}
METHODS = [("CASH", 52), ("MOBILE_MONEY", 34), ("CARD", 8), ("BANK_TRANSFER", 6)]
PAYOUT_REASONS = ["Eau et café pour la boutique", "Transport d'un colis", "Fournitures de bureau",
                  "Crédit téléphonique", "Nettoyage de la vitrine"]
REFUND_REASONS = ["Produit défectueux", "Erreur de modèle", "Client insatisfait", "Ne correspond pas à la commande"]
FLOAT = Decimal("50000")
ZERO = Decimal("0")
# The tables written, in an order their foreign keys accept.
TABLES = ["customer", "customer_account", "supplier", "cash_shift", "cash_payout", "sale", "sale_item", "approval",
          "payment", "refund", "refund_line", "credit_repayment", "credit_ledger_entry", "credit_installment",
          "purchase_order", "purchase_order_line", "goods_receipt", "goods_receipt_line", "transfer", "transfer_line",
          "inventory_movement", "audit_log"]
OPEN, CLOSE = time(7, 45), time(19, 45)  # the till's day
# The past days whose KPI snapshot is written (as the 01:00 job would have); older days of a long
# history have none and the KPI service reads them live (one query set per run of days).
SNAPSHOT_DAYS = 120


class HistoryExists(RuntimeError):
    """The database already holds sales: a history goes on a fresh demo (--reset)."""


def current_time():
    """Now (UTC): the history runs up to it, today's sales included (a test may fix it)."""
    return datetime.now(timezone.utc)


def local_today(zone_name=DEFAULT_ZONE):
    return current_time().astimezone(ZoneInfo(zone_name)).date()


def history_start(days, zone_name=DEFAULT_ZONE):
    """The moment the history begins (07:00 on its first day): the demo catalog's stock arrives then."""
    return datetime.combine(local_today(zone_name) - timedelta(days=days), time(7, 0), ZoneInfo(zone_name))


def has_sales():
    return db.session.execute(select(Sale.id).limit(1)).first() is not None


def seed_demo_history(days=90, store_count=2, seed=17, echo=print):
    if has_sales():
        raise HistoryExists("the database already holds sales: run `flask seed-demo-data --reset`")
    stores = _stores(store_count)
    if not db.session.execute(select(Product.id).where(Product.track_serial.is_(False)).limit(1)).first():
        raise RuntimeError("no catalog: run `flask seed-data` first")
    history = History(random.Random(seed), stores, days)
    history.play()
    history.write()
    for store in stores:
        echo(f"{store.code}: " + ", ".join(f"{history.counts[store.id][k]} {k}" for k in (
            "sales", "payments", "refunds", "credit sales", "orders", "transfers sent")) + f" over {days} days")
    recent = min(days, SNAPSHOT_DAYS)
    for offset in range(days - recent, days):
        services.snapshot_day(history.first + timedelta(days=offset), [s.id for s in stores])
    echo(f"{recent * len(stores)} KPI snapshots written (the last {recent} days)")
    from ..alerts import services as alert_services

    raised = sum(len(alert_services.run_job(name).raised) for name in alert_services.JOBS)
    echo(f"{raised} alerts raised")
    return stores


# --- stores and their people --------------------------------------------------------------------

def _stores(count):
    """The stores with a history: the demo stores, then extra ones (the cross-store staff works there too)."""
    from ..extensions import security_manager

    stores = list(db.session.execute(select(Store).order_by(Store.id)).scalars())
    extra = []
    for code, name in EXTRA_STORES[:max(0, count - len(stores))]:
        store = Store(code=code, name=name, address=f"{name}, Cameroun", phone="+237 233 00 00 00")
        db.session.add(store)
        extra.append(store)
    db.session.flush()
    if extra:
        sm = security_manager()
        roaming = [u.id for u in db.session.execute(select(sm.user_model)).scalars()
                   if u.roles and u.roles[0].name in ("ADMIN", "MANAGER", "STOCKER")]
        for store in extra:
            db.session.add_all(StoreUser(store_id=store.id, user_id=user_id) for user_id in roaming)
    stores = (stores + extra)[:count]
    _staff(stores)
    db.session.commit()
    return stores


def _team(store):
    from flask_appbuilder.security.sqla.models import Role, User, assoc_user_role

    rows = db.session.execute(
        select(User.id, Role.name).join(assoc_user_role, assoc_user_role.c.user_id == User.id)
        .join(Role, Role.id == assoc_user_role.c.role_id)
        .join(StoreUser, StoreUser.user_id == User.id).where(StoreUser.store_id == store.id, User.active.is_(True))
        .order_by(User.id)).all()
    team = defaultdict(list)
    for user_id, role in rows:
        team[role].append(user_id)
    return team


def _staff(stores):
    """Two sellers and a cashier in each store (found by email, else created: vendeurN@, caissierN@)."""
    from ..extensions import security_manager
    from ..security import hash_password

    sm = security_manager()
    hashes = {}
    numbers = {"SALES": 1, "CASHIER": 1}
    for index, store in enumerate(stores):
        team = _team(store)
        for role, wanted in (("SALES", 2), ("CASHIER", 1)):
            have = len(team[role])
            while have < wanted:
                numbers[role] += 1
                prefix, password = STAFF_PASSWORDS[role]
                email = f"{prefix}{numbers[role]}@boutique.cm"
                user = sm.find_user(email=email)
                if user is None:
                    if password not in hashes:
                        hashes[password] = hash_password(password)
                    seat = (numbers[role] * 3 + index) % len(FIRST_NAMES)
                    user = sm.user_model(username=email, email=email, first_name=FIRST_NAMES[seat],
                                         last_name=LAST_NAMES[(seat * 7 + 3) % len(LAST_NAMES)], active=True,
                                         roles=[sm.find_role(role)], password=hashes[password])
                    db.session.add(user)
                    db.session.flush()
                elif user.roles and user.roles[0].name != role:
                    continue
                if not db.session.execute(select(StoreUser.id).where(StoreUser.store_id == store.id,
                                                                     StoreUser.user_id == user.id)).first():
                    db.session.add(StoreUser(store_id=store.id, user_id=user.id))
                    db.session.flush()
                    have += 1


# --- the simulation ---------------------------------------------------------------------------------

def _copy(session, table, rows):
    """PostgreSQL's COPY, in the session's transaction: the fastest way in for many rows."""
    if not rows:
        return
    json_columns = {c.name for c in table.columns if isinstance(c.type, JSON)}
    columns = [c.name for c in table.columns]
    cursor = session.connection().connection.driver_connection.cursor()
    with cursor.copy(f'COPY "{table.name}" ({", ".join(columns)}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([json.dumps(row.get(c)) if c in json_columns and row.get(c) is not None else row.get(c)
                            for c in columns])
    cursor.close()


def _sale_state(sale):
    """What the sale services write of a sale in its audit rows (sales.services.base._sale_state)."""
    return {"status": sale["status"], "number": sale["number"], "total": money_text(sale["total"]),
            "amount_paid": money_text(sale["amount_paid"]), "amount_refunded": money_text(sale["amount_refunded"])}


def _round_up(amount, step):
    return Decimal(math.ceil(amount / step) * step)


class History:
    """Plays the days and keeps every row to write (dicts with explicit ids)."""

    def __init__(self, rng, stores, days):
        self.rng = rng
        self.stores = stores
        self.store_by_id = {s.id: s for s in stores}
        self.zones = {s.id: s.zone for s in stores}
        self.now = current_time()
        self.today = self.now.astimezone(stores[0].zone).date()
        self.first = self.today - timedelta(days=days)
        self.days = days
        self.rows = defaultdict(list)
        self.ids = {name: db.session.execute(select(func.coalesce(func.max(db.metadata.tables[name].c.id), 0))
                                             ).scalar() for name in TABLES}
        self.counts = defaultdict(lambda: defaultdict(int))
        self.agenda = defaultdict(list)  # (store id, day) -> heap of (moment, order, handler, args)
        self.order = 0
        self.stock = {(s, p): [q, r] for s, p, q, r in db.session.execute(
            select(ProductStock.store_id, ProductStock.product_id, ProductStock.quantity, ProductStock.reserved))}
        self.new_stock = set()  # (store, product) without a row yet
        self.holds = defaultdict(int)  # units of submitted sales waiting for their payment (not sold to others)
        self.on_order = defaultdict(int)  # units ordered or in transit to a store
        self.numbers = {(s, t, y): v for s, t, y, v in db.session.execute(
            select(Sequence.store_id, Sequence.doc_type, Sequence.year, Sequence.last_value))}
        self.known_numbers = set(self.numbers)
        self._catalog()
        self.teams = {}
        self.shift = {}
        for store in stores:
            team = _team(store)
            self.teams[store.id] = {
                "sellers": team["SALES"], "cashier": team["CASHIER"][0],
                "manager": (team["MANAGER"] or team["ADMIN"])[0],
                "stocker": (team["STOCKER"] or team["MANAGER"] or team["ADMIN"])[0]}
        self._suppliers()
        self._customers()
        # each store: how many sales a day, and which products its customers like
        self.base = {s.id: BASE_SALES[i % len(BASE_SALES)] for i, s in enumerate(stores)}
        self.weights = {}
        self.demand = {}
        for store in stores:
            weights = [max(1.0, 40 * (6000 / float(p["price"])) ** 0.5) * rng.uniform(0.6, 1.4) for p in self.sellable]
            self.weights[store.id] = weights
            total = sum(weights)
            for product, weight in zip(self.sellable, weights):
                per_unit = 3.2 if product["price"] < 10000 else 1.0
                self.demand[(store.id, product["id"])] = self.base[store.id] * 1.6 * per_unit * weight / total

    # --- ids and rows

    def new_id(self, table):
        self.ids[table] += 1
        return self.ids[table]

    def add(self, table, **row):
        row.setdefault("id", self.new_id(table))
        self.rows[table].append(row)
        return row

    def audit(self, action, object_type, object_id, store_id, user_id, moment, before=None, after=None):
        """The audit row the service writes for that change (core.audit.record)."""
        self.add("audit_log", created_at=moment, action=action, object_type=object_type, object_id=str(object_id),
                 store_id=store_id, before=before, after=after, user_id=user_id)

    def number(self, store, doc_type, moment):
        key = (store.id, doc_type, moment.year)
        self.numbers[key] = self.numbers.get(key, 0) + 1
        return f"{store.code}-{doc_type}-{moment.year}-{self.numbers[key]:06d}"

    def at(self, store, day, hour, minute=0):
        return datetime.combine(day, time(hour, minute), self.zones[store.id])

    def schedule(self, store, moment, handler, *args):
        """Something that happens later in the store; dropped when it would happen after now
        (or today before the till opened)."""
        day = moment.date()
        if day < self.today or (day == self.today and self.at(store, day, OPEN.hour, OPEN.minute) < moment < self.now):
            self.order += 1
            heapq.heappush(self.agenda[(store.id, day)], (moment, self.order, handler, args))

    # --- reference data

    def _catalog(self):
        parents = dict(db.session.execute(select(Category.id, Category.parent_id)).all())
        names = dict(db.session.execute(select(Category.id, Category.name)).all())

        def root(category_id):
            while category_id is not None and parents.get(category_id):
                category_id = parents[category_id]
            return names.get(category_id)

        self.products = {}
        for row in db.session.execute(select(Product).where(Product.is_active.is_(True)).order_by(Product.id)).scalars():
            self.products[row.id] = {"id": row.id, "name": row.name, "price": row.sale_price,
                                     "floor": row.min_sale_price, "rate": row.tax_rate, "reorder": row.reorder_level,
                                     "serial": row.track_serial, "root": root(row.category_id)}
        self.cost = dict(db.session.execute(select(Product.id, Product.cost_price)).all())
        self.list_cost = dict(self.cost)  # the suppliers' prices move around it, never away from it
        self.sellable = [p for p in self.products.values() if not p["serial"]]

    def _suppliers(self):
        from ..purchases.models import Supplier

        existing = dict(db.session.execute(select(Supplier.name, Supplier.id)).all())
        self.supplier_of_root = {}
        for root, (name, phone, email, tax_id, address) in SUPPLIERS.items():
            if name not in existing:
                existing[name] = self.add("supplier", name=name, phone=phone, email=email, tax_id=tax_id,
                                          address=address, note=None,
                                          created_at=self.at(self.stores[0], self.first - timedelta(days=60), 9))["id"]
            self.supplier_of_root[root] = existing[name]

    def _customers(self):
        """Ten customers per store, the first five with a credit account (the fifth pays late)."""
        self.customers = {}
        self.accounts = {}
        for index, store in enumerate(self.stores):
            team = self.teams[store.id]
            since = self.at(store, self.first - timedelta(days=45), 10)
            people = []
            for n in range(10):
                name = CUSTOMERS[(index * 3 + n) % len(CUSTOMERS)]
                company = name.split()[0] in ("Ets.", "Cabinet", "Hôtel", "Collège", "Cyber", "Pharmacie", "SARL",
                                              "Boulangerie")
                customer = self.add("customer", name=name, phone=f"+23767{index}{n + 1:06d}", email=None,
                                    tax_id=f"P0{index}{n:02d}00012345X" if company else None, store_id=store.id,
                                    note=None, is_active=True, created_at=since, created_by_id=team["manager"])
                account = None
                if n < len(CREDIT_LIMITS):
                    account = self.add("customer_account", customer_id=customer["id"], store_id=store.id,
                                       credit_limit=CREDIT_LIMITS[n], balance=ZERO, is_active=True,
                                       note="Client régulier : crédit accordé par le gérant",
                                       created_at=since + timedelta(minutes=20), created_by_id=team["manager"])
                    account["late_payer"] = n == len(CREDIT_LIMITS) - 1
                    account["installments"] = []
                    self.accounts[customer["id"]] = account
                people.append(customer)
            self.customers[store.id] = people

    # --- playing the days

    def play(self):
        for offset in range(self.days):
            day = self.first + timedelta(days=offset)
            for store in self.stores:
                self._open_shift(store, day)
            for store in self.stores:
                self._restock(store, day)
            for store in self.stores:
                self._new_sales(store, day, offset)
                if self.rng.random() < 0.25:
                    self.schedule(store, self.at(store, day, self.rng.randint(9, 18), self.rng.randint(0, 59)),
                                  self._payout)
            for store in self.stores:
                events = self.agenda[(store.id, day)]
                while events:  # in time order; what an event schedules for later today joins the queue
                    moment, _, handler, args = heapq.heappop(events)
                    handler(store, moment, *args)
                del self.agenda[(store.id, day)]
                self._close_shift(store, day)
        self._play_today()

    def _play_today(self):
        """Today up to now: the tills are still open, the morning's sales paid or waiting at the till."""
        day = self.today
        for store in self.stores:
            if self.at(store, day, OPEN.hour, OPEN.minute) >= self.now:
                continue
            self._open_shift(store, day)
            self._new_sales(store, day, self.days)
            events = self.agenda[(store.id, day)]
            while events:  # what an event schedules for later today joins the queue
                moment, _, handler, args = heapq.heappop(events)
                handler(store, moment, *args)
            del self.agenda[(store.id, day)]
            # an open shift has no totals yet: the till computes them at close
            self.shift[store.id].update(status="OPEN", cash_in=None, change_given=None, cash_refunds=None,
                                        cash_payouts=None, expected_mobile_money=None,
                                        expected_bank_transfer=None, expected_card=None)

    def available(self, store_id, product_id):
        quantity, reserved = self.stock.get((store_id, product_id), (0, 0))
        return quantity - reserved - self.holds[(store_id, product_id)]

    def move(self, store, product_id, quantity, kind, moment, reference, user_id, note=None, unit_cost=None,
             from_reserved=False):
        """One ledger row and the stock it leaves (what stock.services.move writes)."""
        key = (store.id, product_id)
        if key not in self.stock:
            self.stock[key] = [0, 0]
            self.new_stock.add(key)
        row = self.stock[key]
        row[0] += quantity
        if from_reserved:
            row[1] += quantity
        assert row[0] >= 0 and 0 <= row[1] <= row[0], (key, row)
        if unit_cost is None and kind in ("PURCHASE", "SALE", "RETURN"):
            unit_cost = self.cost[product_id]
        ref_type, ref_id, ref_number = reference
        self.add("inventory_movement", store_id=store.id, product_id=product_id, type=kind, quantity=quantity,
                 balance_after=row[0], reference_type=ref_type, reference_id=ref_id, reference=ref_number,
                 user_id=user_id, note=note, created_at=moment, unit_cost=unit_cost)

    # --- the till

    def _open_shift(self, store, day):
        cashier = self.teams[store.id]["cashier"]
        self.shift[store.id] = self.add(
            "cash_shift", store_id=store.id, cashier_id=cashier, status="CLOSED", opening_float=FLOAT,
            opened_at=self.at(store, day, OPEN.hour, OPEN.minute), closed_at=None, counted_cash=None,
            counted_mobile_money=None, counted_bank_transfer=None, counted_card=None, cash_in=ZERO,
            change_given=ZERO, cash_refunds=ZERO, cash_payouts=ZERO, expected_cash=None,
            expected_mobile_money=ZERO, expected_bank_transfer=ZERO, expected_card=ZERO, variance=None, note=None)
        shift = self.shift[store.id]
        self.audit("shift.open", "CashShift", shift["id"], store.id, cashier, shift["opened_at"],
                   after={"opening_float": money_text(FLOAT), "cashier": cashier})

    def _close_shift(self, store, day):
        """Closed blind: counted cash = expected, a little off now and then (one store's cashier more often)."""
        shift = self.shift[store.id]
        expected = FLOAT + shift["cash_in"] - shift["change_given"] - shift["cash_refunds"] - shift["cash_payouts"]
        roll = self.rng.random()
        sloppy = 0.12 if store is self.stores[min(1, len(self.stores) - 1)] else 0.03
        if roll < sloppy:
            variance = Decimal(self.rng.choice((-5000, -2500, -2000, -1500, 1500, 2000)))
        elif roll < 0.35:
            variance = Decimal(self.rng.choice((-1000, -500, -250, -100, 100, 200, 500)))
        else:
            variance = ZERO
        shift.update(closed_at=self.at(store, day, CLOSE.hour, CLOSE.minute + self.rng.randint(0, 10)),
                     counted_cash=expected + variance, expected_cash=expected, variance=variance,
                     counted_mobile_money=shift["expected_mobile_money"],
                     counted_bank_transfer=shift["expected_bank_transfer"], counted_card=shift["expected_card"],
                     note="Écart constaté à la fermeture" if abs(variance) > 1000 else None)
        self.audit("shift.close", "CashShift", shift["id"], store.id, shift["cashier_id"], shift["closed_at"],
                   before={"status": "OPEN"}, after={"status": "CLOSED", "counted_cash": money_text(expected + variance),
                                                     "expected_cash": money_text(expected),
                                                     "variance": money_text(variance)})

    def _money_in(self, store, method, amount, tendered=None, change=ZERO):
        shift = self.shift[store.id]
        if method == "CASH":
            shift["cash_in"] += tendered if tendered is not None else amount
            shift["change_given"] += change
        elif method != "CREDIT":
            shift[f"expected_{method.lower()}"] += amount
        return shift["id"]

    def _payout(self, store, moment):
        shift = self.shift[store.id]
        amount = Decimal(self.rng.choice((1500, 2000, 2500, 3000, 5000)))
        shift["cash_payouts"] += amount
        payout = self.add("cash_payout", shift_id=shift["id"], store_id=store.id, amount=amount,
                          reason=self.rng.choice(PAYOUT_REASONS), created_by_id=shift["cashier_id"], created_at=moment)
        self.audit("shift.payout", "CashShift", shift["id"], store.id, shift["cashier_id"], moment,
                   after={"payout": payout["id"], "amount": money_text(amount), "reason": payout["reason"]})

    def _reference(self, method, moment):
        code = "".join(self.rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6))
        if method == "MOBILE_MONEY":
            operator = self.rng.choice(("MTN", "MTN", "ORANGE"))
            return operator, f"{'MP' if operator == 'MTN' else 'CI'}{moment:%y%m%d}.{moment:%H%M}.{code}"
        if method == "BANK_TRANSFER":
            return None, f"VIR-{moment:%Y%m%d}-{code}"
        if method == "CARD":
            return None, f"CB-{code}"
        return None, None

    def _pay(self, store, sale, method, amount, moment):
        """A payment of `amount` (cash may come with change) in the store's shift."""
        tendered, change = None, ZERO
        if method == "CASH":
            roll = self.rng.random()
            step = 1000 if amount <= 10000 else 5000 if amount <= 100000 else 10000
            tendered = amount if roll < 0.4 else _round_up(amount, step)
            change = tendered - amount
        operator, reference = self._reference(method, moment)
        shift_id = self._money_in(store, method, amount, tendered, change)
        before = {"status": sale["status"], "amount_paid": money_text(sale["amount_paid"])}
        sale["amount_paid"] += amount
        status = "PAID" if sale["amount_paid"] == sale["total"] else "PARTIALLY_PAID"
        payment = self.add("payment", sale_id=sale["id"], store_id=store.id, shift_id=shift_id,
                           cashier_id=self.teams[store.id]["cashier"], method=method, amount=amount, tendered=tendered,
                           change_given=change, operator=operator, reference=reference, idempotency_key=None,
                           fingerprint=None, sale_status_after=status,
                           balance_due_after=sale["total"] - sale["amount_paid"], created_at=moment)
        sale["updated_at"] = moment
        self.counts[store.id]["payments"] += 1
        if status == "PARTIALLY_PAID":
            sale["status"] = status
        self.audit("sale.payment", "Sale", sale["id"], store.id, payment["cashier_id"], moment, before=before,
                   after={"status": status, "amount_paid": money_text(sale["amount_paid"]), "payment": payment["id"],
                          "method": method, "amount": money_text(amount), "change_given": money_text(change),
                          "shift": shift_id})
        return payment

    # --- sales

    def _new_sales(self, store, day, offset):
        factor = {5: 1.35, 6: 0.55}.get(day.weekday(), 1.0) * (1.15 if day.day >= 25 or day.day <= 5 else 1.0)
        factor *= 1 + 0.15 * offset / 365  # the shops grow
        count = max(1, round(self.base[store.id] * factor * self.rng.uniform(0.8, 1.2)))
        for _ in range(count):
            minutes = self.rng.randint(8 * 60, 19 * 60)
            self.schedule(store, self.at(store, day, minutes // 60, minutes % 60), self._sale)

    def _sale(self, store, moment):
        rng = self.rng
        lines, seen = [], set()
        for product in rng.choices(self.sellable, self.weights[store.id], k=rng.choice((1, 1, 1, 2, 2, 3))):
            if product["id"] in seen:
                continue
            seen.add(product["id"])
            wanted = rng.choice((1, 1, 2, 2, 3, 5, 10)) if product["price"] < 10000 else rng.choice((1, 1, 1, 1, 2))
            quantity = min(wanted, self.available(store.id, product["id"]))
            if quantity > 0:
                lines.append([product, quantity, ZERO])
        if not lines:
            return  # nothing the customer wanted was on the shelf
        team = self.teams[store.id]
        seller = rng.choice(team["sellers"])
        customer = rng.choice(self.customers[store.id]) if rng.random() < 0.2 else None
        big = rng.random() < 0.008
        for line in lines:
            product, quantity, _ = line
            gross = product["price"] * quantity
            if big and line is lines[0]:
                line[2] = (gross * Decimal(rng.choice(("0.12", "0.15"))) / 100).quantize(Decimal("1"), ROUND_DOWN) * 100
            elif rng.random() < 0.12:  # a small discount, above the floor: no approval needed
                line[2] = (gross * Decimal(rng.choice(("0.02", "0.03", "0.05"))) / 100).quantize(
                    Decimal("1"), ROUND_DOWN) * 100
        totals = compute_totals([LineInput(q, p["price"], d, p["rate"]) for p, q, d in lines])
        submitted = moment + timedelta(minutes=rng.randint(1, 5))
        sale = self.add("sale", store_id=store.id, number=self.number(store, INVOICE, submitted),
                        status="PENDING_PAYMENT", seller_id=seller, customer_id=customer["id"] if customer else None,
                        discount=ZERO, subtotal=totals.subtotal, tax_total=totals.total_tva, total=totals.total,
                        amount_paid=ZERO, amount_refunded=ZERO, stock_reserved=False, note=None, cancel_reason=None,
                        created_at=moment, updated_at=submitted, submitted_at=submitted, paid_at=None,
                        cancelled_at=None, cancelled_by_id=None)
        sale["lines"] = []
        for position, ((product, quantity, discount), line) in enumerate(zip(lines, totals.lines)):
            sale["lines"].append(self.add("sale_item", sale_id=sale["id"], position=position,
                                          product_id=product["id"], quantity=quantity, unit_price=product["price"],
                                          discount=discount, tax_rate=product["rate"], line_total=line.line_total,
                                          refunded_quantity=0))
            self.holds[(store.id, product["id"])] += quantity
        self.counts[store.id]["sales"] += 1
        self.audit("sale.submit", "Sale", sale["id"], store.id, seller, submitted,
                   before={"status": "DRAFT", "number": None, "total": money_text(totals.total),
                           "amount_paid": money_text(ZERO), "amount_refunded": money_text(ZERO)},
                   after={"status": "PENDING_PAYMENT", "total": money_text(totals.total)})
        if big:
            self._approve_discount(store, sale, totals, lines, seller, moment)
        self._fate(store, sale, customer, submitted)

    def _approve_discount(self, store, sale, totals, lines, seller, moment):
        """What submit asked for and the manager granted at the POS: a discount over the threshold,
        a price under the floor."""
        percent = totals.max_discount_percent()
        manager = self.teams[store.id]["manager"]
        needs = [("DISCOUNT", {"discount_percent": str(percent), "threshold": str(store.discount_threshold),
                               "discount": money_text(totals.discount_total)})]
        under = [{"product": p["id"], "name": p["name"], "unit_price": str((t.line_total / q).quantize(Decimal("0.01"))),
                  "min_sale_price": str(p["floor"])}
                 for (p, q, _), t in zip(lines, totals.lines)
                 if p["floor"] is not None and (t.line_total / q).quantize(Decimal("0.01")) < p["floor"]]
        if under:
            needs.append(("PRICE_FLOOR", {"items": under}))
        for kind, details in needs:
            if kind == "DISCOUNT" and percent <= store.discount_threshold:
                continue
            self.add("approval", store_id=store.id, sale_id=sale["id"], kind=kind, status="APPROVED", details=details,
                     reason=None, requested_by_id=seller, requested_at=moment + timedelta(minutes=1),
                     decided_by_id=manager, decided_at=moment + timedelta(minutes=2))

    def _fate(self, store, sale, customer, submitted):
        rng = self.rng
        day = submitted.date()
        account = self.accounts.get(customer["id"]) if customer else None
        pay_at = min(submitted + timedelta(minutes=rng.randint(2, 25)), self.at(store, day, 19, 30))
        roll = rng.random()
        if day == self.today - timedelta(days=1) and submitted.hour >= 17:
            return  # still waiting at the till
        if roll < 0.03:  # the customer never came to the till: the manager cancels it
            cancel_at = (self.at(store, day, 19, 0) if submitted.hour < 17
                         else self.at(store, day + timedelta(days=1), 9, 30))
            self.schedule(store, cancel_at, self._cancel, sale, "Client parti sans payer")
        elif roll < 0.08 and sale["total"] >= 20000:  # a deposit, the goods put aside
            self.schedule(store, pay_at, self._deposit, sale)
        elif account is not None and roll < 0.75:
            self.schedule(store, pay_at, self._pay_on_credit, sale, account)
        elif roll < 0.12:
            self.schedule(store, pay_at, self._pay_split, sale)
        else:
            method = rng.choices([m for m, _ in METHODS], [w for _, w in METHODS])[0]
            if method == "BANK_TRANSFER" and sale["total"] < 100000:
                method = "MOBILE_MONEY"
            self.schedule(store, pay_at, self._pay_full, sale, method)

    def _complete(self, store, sale, moment, from_reserved=False):
        """Fully paid: SALE movements (one per product, in product order), status PAID."""
        quantities = defaultdict(int)
        for item in sale["lines"]:
            quantities[item["product_id"]] += item["quantity"]
        for product_id, quantity in sorted(quantities.items()):
            if not from_reserved:
                self.holds[(store.id, product_id)] -= quantity
            self.move(store, product_id, -quantity, "SALE", moment, ("Sale", sale["id"], sale["number"]),
                      self.teams[store.id]["cashier"], from_reserved=from_reserved)
        sale.update(status="PAID", paid_at=moment, stock_reserved=False, updated_at=moment)
        if self.rng.random() < 0.025 and not sale.get("credit"):
            when = self.at(store, moment.date() + timedelta(days=self.rng.randint(1, 5)), self.rng.randint(9, 18),
                           self.rng.randint(0, 59))
            self.schedule(store, when, self._refund, sale)

    def _pay_full(self, store, moment, sale, method):
        self._pay(store, sale, method, sale["total"], moment)
        self._complete(store, sale, moment)

    def _pay_split(self, store, moment, sale):
        """Part in cash, the rest by mobile money."""
        cash = (sale["total"] * Decimal(self.rng.choice(("0.3", "0.5", "0.7"))) / 1000).quantize(
            Decimal("1"), ROUND_DOWN) * 1000
        if cash <= 0 or cash >= sale["total"]:
            return self._pay_full(store, moment, sale, "CASH")
        self._pay(store, sale, "CASH", cash, moment)
        self.schedule(store, moment + timedelta(minutes=1), self._pay_rest, sale, "MOBILE_MONEY")

    def _deposit(self, store, moment, sale):
        """A part paid, the goods reserved; the rest days later, or the sale cancelled and the deposit given back."""
        amount = (sale["total"] * Decimal(self.rng.choice(("0.3", "0.4", "0.5"))) / 1000).quantize(
            Decimal("1"), ROUND_DOWN) * 1000
        self._pay(store, sale, self.rng.choice(("CASH", "MOBILE_MONEY")), amount, moment)
        for item in sale["lines"]:  # the virtual hold becomes a real reservation
            key = (store.id, item["product_id"])
            self.holds[key] -= item["quantity"]
            self.stock[key][1] += item["quantity"]
        sale["stock_reserved"] = True
        later = moment.date() + timedelta(days=self.rng.randint(1, 6))
        if self.rng.random() < 0.2:
            self.schedule(store, self.at(store, later + timedelta(days=2), 18, 0), self._cancel, sale,
                          "Le client a renoncé à son achat")
        else:
            self.schedule(store, self.at(store, later, self.rng.randint(9, 18), self.rng.randint(0, 59)),
                          self._pay_rest, sale)

    def _pay_rest(self, store, moment, sale, method=None):
        """The last payment of a sale partly paid (its goods reserved, or held since the first payment)."""
        if sale["status"] != "PARTIALLY_PAID":
            return
        method = method or self.rng.choice(("CASH", "MOBILE_MONEY"))
        self._pay(store, sale, method, sale["total"] - sale["amount_paid"], moment)
        self._complete(store, sale, moment, from_reserved=sale["stock_reserved"])

    def _pay_on_credit(self, store, moment, sale, account):
        """Maybe a cash deposit, the rest on the customer's account (refused over the limit: then cash)."""
        deposit = ZERO
        if self.rng.random() < 0.3:
            deposit = (sale["total"] * Decimal("0.3") / 1000).quantize(Decimal("1"), ROUND_DOWN) * 1000
        rest = sale["total"] - deposit
        if rest > account["credit_limit"] - account["balance"]:
            return self._pay_full(store, moment, sale, "CASH")
        if deposit > 0:
            self._pay(store, sale, "CASH", deposit, moment)
            self.schedule(store, moment + timedelta(minutes=1), self._put_on_credit, sale, account)
        else:
            self._put_on_credit(store, moment, sale, account)

    def _put_on_credit(self, store, moment, sale, account):
        rest = sale["total"] - sale["amount_paid"]
        if rest > account["credit_limit"] - account["balance"]:  # another till used the credit meanwhile
            return self._pay_rest(store, moment, sale, "CASH")
        payment = self._pay(store, sale, "CREDIT", rest, moment)
        sale["credit"] = True
        count = self.rng.choice((None, None, None, 2, 3))
        self._charge(store, account, rest, moment, sale, payment, count)
        self.counts[store.id]["credit sales"] += 1
        self._complete(store, sale, moment)

    # --- credit

    def _ledger(self, account, kind, source, amount, moment, user_id, **refs):
        account["balance"] += amount if kind == "DEBIT" else -amount
        assert 0 <= account["balance"] <= account["credit_limit"]
        row = {"sale_id": None, "payment_id": None, "repayment_id": None, "reverses_id": None, "note": None}
        row.update(refs)
        return self.add("credit_ledger_entry", account_id=account["id"], store_id=account["store_id"], kind=kind,
                        source=source, amount=amount, balance_after=account["balance"], user_id=user_id,
                        created_at=moment, **row)

    def _charge(self, store, account, amount, moment, sale, payment, count):
        """The DEBIT entry and its schedule (credits.services.charge_sale), and when the customer will repay."""
        entry = self._ledger(account, "DEBIT", "SALE", amount, moment, payment["cashier_id"], sale_id=sale["id"],
                             payment_id=payment["id"])
        today = moment.date()
        dates = [today + timedelta(days=store.credit_term_days or 30)] if count is None else \
            [add_months(today, n) for n in range(1, count + 1)]
        share = (amount / len(dates)).quantize(Decimal("1"), rounding=ROUND_DOWN)
        schedule = []
        self.audit("credit.charge", "CustomerAccount", account["id"], store.id, payment["cashier_id"], moment,
                   after={"sale": sale["id"], "amount": money_text(amount), "balance": money_text(account["balance"]),
                          "installments": schedule})
        for number, due in enumerate(dates, start=1):
            part = amount - share * (len(dates) - 1) if number == len(dates) else share
            installment = self.add("credit_installment", account_id=account["id"], store_id=store.id,
                                   entry_id=entry["id"], sale_id=sale["id"], number=number, due_date=due, amount=part,
                                   paid=ZERO, created_at=moment)
            account["installments"].append(installment)
            schedule.append([due.isoformat(), money_text(part)])
            if account["late_payer"]:
                if self.rng.random() < 0.4:
                    continue  # never repaid: overdue
                delay = self.rng.randint(5, 40)
            else:
                delay = self.rng.randint(-28, 3)
            when = max(due + timedelta(days=delay), today + timedelta(days=1))
            self.schedule(store, self.at(store, when, self.rng.randint(9, 18), self.rng.randint(0, 59)),
                          self._repay, account, part)

    def _repay(self, store, moment, account, amount):
        """A repayment at the till: CREDIT entry, the oldest installments settled first."""
        amount = min(amount, account["balance"])
        if amount <= 0:
            return
        method = self.rng.choice(("CASH", "CASH", "MOBILE_MONEY"))
        operator, reference = self._reference(method, moment)
        shift_id = self._money_in(store, method, amount)
        cashier = self.teams[store.id]["cashier"]
        repayment = self.add("credit_repayment", account_id=account["id"], store_id=store.id, shift_id=shift_id,
                             cashier_id=cashier, method=method, amount=amount, operator=operator, reference=reference,
                             idempotency_key=None, fingerprint=None, balance_after=account["balance"] - amount,
                             created_at=moment)
        self._ledger(account, "CREDIT", "REPAYMENT", amount, moment, cashier, repayment_id=repayment["id"])
        self.audit("credit.repay", "CustomerAccount", account["id"], store.id, cashier, moment,
                   after={"repayment": repayment["id"], "amount": money_text(amount), "method": method,
                          "shift": shift_id, "balance": money_text(account["balance"])})
        left = amount
        for installment in sorted(account["installments"], key=lambda i: (i["due_date"], i["id"])):
            if left <= 0:
                break
            take = min(installment["amount"] - installment["paid"], left)
            installment["paid"] += take
            left -= take

    # --- cancellations and refunds

    def _cancel(self, store, moment, sale, reason):
        """The manager cancels a sale not fully paid: reservation released, the deposit given back in cash."""
        if sale["status"] not in ("PENDING_PAYMENT", "PARTIALLY_PAID"):
            return
        manager = self.teams[store.id]["manager"]
        for item in sale["lines"]:
            key = (store.id, item["product_id"])
            if sale["stock_reserved"]:
                self.stock[key][1] -= item["quantity"]
            else:
                self.holds[key] -= item["quantity"]
        paid_back = sale["amount_paid"] - sale["amount_refunded"]
        before, refund = _sale_state(sale), None
        if paid_back > 0:
            shift = self.shift[store.id]
            shift["cash_refunds"] += paid_back
            refund = self.add("refund", sale_id=sale["id"], store_id=store.id, is_cancellation=True, method="CASH",
                     amount=paid_back, restock=True, reason=reason, reference=None, shift_id=shift["id"],
                     approved_by_id=manager, created_at=moment)
            sale["amount_refunded"] += paid_back
            self.counts[store.id]["refunds"] += 1
        sale.update(status="CANCELLED", stock_reserved=False, cancelled_at=moment, cancelled_by_id=manager,
                    cancel_reason=reason, updated_at=moment)
        self.audit("sale.cancel", "Sale", sale["id"], store.id, manager, moment, before=before,
                   after={**_sale_state(sale), "reason": reason, "refund": refund["id"] if refund else None})
        self.add("approval", store_id=store.id, sale_id=sale["id"], kind="CANCELLATION", status="APPROVED",
                 details={"reason": reason, "refunded": money_text(paid_back)}, reason=None, requested_by_id=manager,
                 requested_at=moment, decided_by_id=manager, decided_at=moment)

    def _refund(self, store, moment, sale):
        """The manager refunds one unit of a line, or everything (REFUNDED); goods back in stock unless defective."""
        if sale["status"] != "PAID":
            return
        rng = self.rng
        manager = self.teams[store.id]["manager"]
        everything = rng.random() < 0.4
        chosen = [(item, item["quantity"] - item["refunded_quantity"]) for item in sale["lines"]] if everything \
            else [(sale["lines"][0], 1)]
        restock = rng.random() < 0.85
        still_paid = sale["amount_paid"] - sale["amount_refunded"]
        values = [(item, quantity, (item["line_total"] * quantity / item["quantity"]).quantize(
            Decimal("1"), ROUND_HALF_UP)) for item, quantity in chosen]
        all_back = all(item["refunded_quantity"] + dict((i["id"], q) for i, q in chosen).get(item["id"], 0)
                       == item["quantity"] for item in sale["lines"])
        amount = still_paid if all_back else min(sum(v for _, _, v in values), still_paid)
        if amount <= 0:
            return
        before = _sale_state(sale)
        shift = self.shift[store.id]  # cash back from the open shift
        shift["cash_refunds"] += amount
        refund = self.add("refund", sale_id=sale["id"], store_id=store.id, is_cancellation=False, method="CASH",
                          amount=amount, restock=restock, reason=rng.choice(REFUND_REASONS), reference=None,
                          shift_id=shift["id"], approved_by_id=manager, created_at=moment)
        running = ZERO
        back = defaultdict(int)
        for index, (item, quantity, value) in enumerate(values):
            value = amount - running if index == len(values) - 1 else min(value, amount - running)
            running += value
            self.add("refund_line", refund_id=refund["id"], sale_item_id=item["id"], quantity=quantity, amount=value,
                     restock=restock)
            item["refunded_quantity"] += quantity
            if restock:
                back[item["product_id"]] += quantity
        for product_id, quantity in sorted(back.items()):
            self.move(store, product_id, quantity, "RETURN", moment, ("Refund", refund["id"], sale["number"]), manager,
                      note=f"Remboursement de {sale['number']}")
        sale["amount_refunded"] += amount
        sale["updated_at"] = moment
        if all_back:
            sale["status"] = "REFUNDED"
        self.add("approval", store_id=store.id, sale_id=sale["id"], kind="REFUND", status="APPROVED",
                 details={"refund": refund["id"], "amount": money_text(amount),
                          "items": [{"sale_item": item["id"], "quantity": quantity, "restock": restock}
                                    for item, quantity, _ in values]},
                 reason=None, requested_by_id=manager, requested_at=moment, decided_by_id=manager, decided_at=moment)
        self.audit("sale.refund", "Sale", sale["id"], store.id, manager, moment, before=before,
                   after={**_sale_state(sale), "refund": refund["id"], "amount": money_text(amount), "method": "CASH"})
        self.counts[store.id]["refunds"] += 1

    # --- restocking: transfers from a store that has enough, else orders to the suppliers

    def _levels(self, store_id, product):
        """(reorder point, level to order up to): the main store keeps more, it supplies the others."""
        demand = self.demand[(store_id, product["id"])]
        point = product["reorder"] + math.ceil(4 * demand)
        days = 18 if store_id == self.stores[0].id else 12
        return point, point + math.ceil(days * demand) + 2

    def _restock(self, store, day):
        """Orders go out on Mondays and Thursdays (any day for a product out of stock and not on order);
        the other stores ask the main store first."""
        order_day = day.weekday() in (0, 3) or day == self.first
        low = []
        for product in self.sellable:
            point, target = self._levels(store.id, product)
            available, coming = self.available(store.id, product["id"]), self.on_order[(store.id, product["id"])]
            if available + coming <= point and (order_day or available <= 0 and coming == 0):
                low.append((product, target - available - coming))
        main = self.stores[0]
        transfers, orders = [], defaultdict(list)
        for product, quantity in low:
            if store is not main and self.rng.random() < 0.6 and \
                    self.available(main.id, product["id"]) - quantity > product["reorder"]:
                transfers.append((product, quantity))
            else:
                orders[self.supplier_of_root.get(product["root"], self.supplier_of_root[None])].append(
                    (product, quantity))
            self.on_order[(store.id, product["id"])] += quantity
        if transfers:
            self.schedule(main, self.at(main, day, 11, 0), self._send_transfer, store, transfers)
        for supplier_id, lines in sorted(orders.items()):
            self._order(store, day, supplier_id, lines)

    def _order(self, store, day, supplier_id, lines):
        """A manager orders (DRAFT, then SENT with its number); the goods come 2 to 6 days later."""
        rng = self.rng
        created, sent = self.at(store, day, 8, 40), self.at(store, day, 8, 55)
        order = self.add("purchase_order", number=self.number(store, ORDER_DOC_TYPE, sent), store_id=store.id,
                         supplier_id=supplier_id, status="SENT", note=None, cancel_reason=None,
                         created_by_id=self.teams[store.id]["manager"], created_at=created, sent_at=sent,
                         received_at=None, cancelled_at=None)
        order["lines"] = []
        for product, quantity in sorted(lines, key=lambda line: line[0]["id"]):
            factor = Decimal(str(round(rng.uniform(0.96, 1.04), 3)))
            unit_cost = (self.list_cost[product["id"]] * factor / 100).quantize(Decimal("1"), ROUND_HALF_UP) * 100
            order["lines"].append(self.add("purchase_order_line", order_id=order["id"], product_id=product["id"],
                                           quantity=quantity, unit_cost=unit_cost, received_quantity=0))
        arrives = day + timedelta(days=rng.randint(2, 6))
        if rng.random() < 0.12:  # delivered in two parts
            first = {line["id"]: max(1, line["quantity"] * 6 // 10) for line in order["lines"]}
            self.schedule(store, self.at(store, arrives, 10, 30), self._receive, order, first)
            self.schedule(store, self.at(store, arrives + timedelta(days=rng.randint(2, 4)), 10, 30), self._receive,
                          order, None)
        else:
            self.schedule(store, self.at(store, arrives, 10, 30), self._receive, order, None)
        lines_snapshot = [{"product_id": line["product_id"], "quantity": line["quantity"],
                           "unit_cost": money_text(line["unit_cost"]), "received_quantity": 0} for line in order["lines"]]
        manager = self.teams[store.id]["manager"]
        self.audit("purchase_order.create", "PurchaseOrder", order["id"], store.id, manager, created,
                   after={"status": "DRAFT", "supplier_id": supplier_id, "lines": lines_snapshot})
        self.audit("purchase_order.send", "PurchaseOrder", order["id"], store.id, manager, sent,
                   before={"status": "DRAFT"},
                   after={"status": "SENT", "lines": lines_snapshot, "total": money_text(sum(
                       line["unit_cost"] * line["quantity"] for line in order["lines"]))})
        self.counts[store.id]["orders"] += 1

    def _receive(self, store, moment, order, quantities):
        """A goods receipt: PURCHASE movements at the order's cost, the weighted average cost recorded."""
        stocker = self.teams[store.id]["stocker"]
        receipt = self.add("goods_receipt", purchase_order_id=order["id"], store_id=store.id, note=None,
                           received_by_id=stocker, created_at=moment)
        status_before, received = order["status"], []
        for line in order["lines"]:
            due = line["quantity"] - line["received_quantity"]
            quantity = due if quantities is None else min(due, quantities[line["id"]])
            if quantity <= 0:
                continue
            product_id = line["product_id"]
            on_hand = sum(q for (s, p), (q, _) in self.stock.items() if p == product_id)
            before = self.cost[product_id]
            after = weighted_average_cost(on_hand, before, quantity, line["unit_cost"])
            self.move(store, product_id, quantity, "PURCHASE", moment, ("PurchaseOrder", order["id"], order["number"]),
                      stocker, unit_cost=line["unit_cost"])
            self.cost[product_id] = after
            line["received_quantity"] += quantity
            self.on_order[(store.id, product_id)] -= quantity
            self.add("goods_receipt_line", receipt_id=receipt["id"], order_line_id=line["id"], product_id=product_id,
                     quantity=quantity, unit_cost=line["unit_cost"], on_hand_before=on_hand, cost_before=before,
                     cost_after=after, serials=None)
            received.append({"order_line_id": line["id"], "product_id": product_id, "quantity": quantity,
                             "unit_cost": money_text(line["unit_cost"]), "cost_before": money_text(before),
                             "cost_after": money_text(after), "serials": None})
        if all(line["received_quantity"] == line["quantity"] for line in order["lines"]):
            order.update(status="RECEIVED", received_at=moment)
        else:
            order["status"] = "PARTIALLY_RECEIVED"
        self.audit("goods_receipt.create", "GoodsReceipt", receipt["id"], store.id, stocker, moment,
                   before={"status": status_before},
                   after={"purchase_order_id": order["id"], "status": order["status"], "lines": received})

    def _send_transfer(self, source, moment, destination, lines):
        """The stock keeper sends what the other store lacks (TRANSFER_OUT); it arrives the next day."""
        stocker = self.teams[source.id]["stocker"]
        sendable = []
        for product, quantity in sorted(lines, key=lambda line: line[0]["id"]):
            sent = min(quantity, self.available(source.id, product["id"]))
            self.on_order[(destination.id, product["id"])] -= quantity - max(sent, 0)
            if sent > 0:
                sendable.append((product, sent))
        if not sendable:
            return
        transfer = self.add("transfer", number=self.number(source, TRANSFER_DOC_TYPE, moment), store_id=source.id,
                            destination_store_id=destination.id, status="SENT", note="Réassort entre magasins",
                            created_by_id=stocker, created_at=moment - timedelta(minutes=15), sent_at=moment,
                            received_at=None, receipt_note=None, cancel_reason=None)
        transfer["lines"] = []
        reference = ("Transfer", transfer["id"], transfer["number"])
        for product, quantity in sendable:
            transfer["lines"].append(self.add("transfer_line", transfer_id=transfer["id"], product_id=product["id"],
                                              quantity=quantity, received_quantity=None))
            self.move(source, product["id"], -quantity, "TRANSFER_OUT", moment, reference, stocker,
                      note=f"Vers {destination.code}")
        arrival = self.at(destination, moment.date() + timedelta(days=1), 10, 0)
        self.schedule(destination, arrival, self._receive_transfer, source, transfer)
        lines_snapshot = [{"product_id": line["product_id"], "quantity": line["quantity"], "received_quantity": None,
                           "serials": []} for line in transfer["lines"]]
        self.audit("transfer.create", "Transfer", transfer["id"], source.id, stocker, transfer["created_at"],
                   after={"status": "DRAFT", "destination_store_id": destination.id, "lines": lines_snapshot})
        self.audit("transfer.send", "Transfer", transfer["id"], source.id, stocker, moment,
                   before={"status": "DRAFT"}, after={"status": "SENT", "lines": lines_snapshot})
        self.counts[source.id]["transfers sent"] += 1

    def _receive_transfer(self, destination, moment, source, transfer):
        stocker = self.teams[destination.id]["stocker"]
        reference = ("Transfer", transfer["id"], transfer["number"])
        damaged = self.rng.random() < 0.08
        for line in transfer["lines"]:
            received = line["quantity"] - 1 if damaged and line is transfer["lines"][0] else line["quantity"]
            line["received_quantity"] = received
            self.on_order[(destination.id, line["product_id"])] -= line["quantity"]
            if received:
                self.move(destination, line["product_id"], received, "TRANSFER_IN", moment, reference, stocker,
                          note=f"Depuis {source.code}")
        transfer.update(status="RECEIVED", received_at=moment,
                        receipt_note="Un carton abîmé pendant le transport : une unité manque" if damaged else None)
        self.audit("transfer.receive", "Transfer", transfer["id"], source.id, stocker, moment,
                   before={"status": "SENT"},
                   after={"status": "RECEIVED", "destination_store_id": destination.id, "note": transfer["receipt_note"],
                          "lines": [{"product_id": line["product_id"], "sent": line["quantity"],
                                     "received": line["received_quantity"],
                                     "difference": line["received_quantity"] - line["quantity"], "missing_serials": []}
                                    for line in transfer["lines"]]})

    # --- writing

    def write(self):
        """Bulk INSERTs in foreign-key order, then the rows that summarise them."""
        session = db.session
        postgres = session.get_bind().dialect.name == "postgresql"
        for name in TABLES:
            table = db.metadata.tables[name]
            if postgres:
                _copy(session, table, self.rows[name])
            else:
                columns = [c.name for c in table.columns]
                rows = [{c: row.get(c) for c in columns} for row in self.rows[name]]
                for start in range(0, len(rows), 5000):
                    session.execute(insert(table), rows[start:start + 5000])
        stock = db.metadata.tables["product_stock"]
        new = [{"store_id": s, "product_id": p, "quantity": self.stock[(s, p)][0], "reserved": self.stock[(s, p)][1]}
               for s, p in sorted(self.new_stock)]
        if new:
            session.execute(insert(stock), new)
        changed = [{"s": s, "p": p, "q": q, "r": r} for (s, p), (q, r) in sorted(self.stock.items())
                   if (s, p) not in self.new_stock]
        session.execute(update(stock).where(stock.c.store_id == bindparam("s"), stock.c.product_id == bindparam("p"))
                        .values(quantity=bindparam("q"), reserved=bindparam("r")).execution_options(
                            synchronize_session=False), changed)
        product = db.metadata.tables["product"]
        session.execute(update(product).where(product.c.id == bindparam("pid")).values(cost_price=bindparam("cost"))
                        .execution_options(synchronize_session=False),
                        [{"pid": p, "cost": c} for p, c in sorted(self.cost.items())])
        sequence = db.metadata.tables["sequence"]
        known = [{"s": s, "t": t, "y": y, "v": v} for (s, t, y), v in sorted(self.numbers.items())
                 if (s, t, y) in self.known_numbers]
        if known:
            session.execute(update(sequence).where(sequence.c.store_id == bindparam("s"),
                                                   sequence.c.doc_type == bindparam("t"),
                                                   sequence.c.year == bindparam("y"))
                            .values(last_value=bindparam("v")).execution_options(synchronize_session=False), known)
        fresh = [{"store_id": s, "doc_type": t, "year": y, "last_value": v} for (s, t, y), v in sorted(self.numbers.items())
                 if (s, t, y) not in self.known_numbers]
        if fresh:
            session.execute(insert(sequence), fresh)
        if postgres:  # ids were given: move the id sequences past them
            for name in TABLES:
                session.execute(db.text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                        f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"))
        session.commit()
        if postgres:  # statistics for the planner: the snapshots' queries run next, on tables just filled
            session.execute(db.text("ANALYZE " + ", ".join(TABLES + ["product_stock", "product"])))
            session.commit()
