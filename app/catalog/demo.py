"""The small demo catalog `flask seed-data` creates: a newcomer can sell right after `make run`.

Idempotent: categories and brands are found by name, products by sku; a product that
already exists is left alone (its stock too), so running the seed twice changes nothing.
Stock enters through the one stock service (PURCHASE movements), and serial-tracked
products get one SerialNumber IN_STOCK per unit, in the store that holds it.
"""
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select, update

from ..extensions import db
from .models import Brand, Category, Product
from .services import ean13_check_digit

CATEGORIES = [  # (path, ...) parents first
    ("Informatique",),
    ("Informatique", "Ordinateurs portables"),
    ("Informatique", "Écrans"),
    ("Informatique", "Imprimantes"),
    ("Informatique", "Stockage"),
    ("Réseau",),
    ("Réseau", "Routeurs"),
    ("Réseau", "Switches"),
    ("Réseau", "Points d'accès"),
    ("Réseau", "Câbles"),
    ("Téléphonie",),
    ("Téléphonie", "Smartphones"),
    ("Accessoires",),
]
BRANDS = ["HP", "Dell", "Lenovo", "TP-Link", "Cisco", "Ubiquiti", "MikroTik", "Samsung", "Tecno", "Infinix", "Itel"]

# sku, name, category, brand, sale price (FCFA, TTC), warranty months if serial-tracked,
# reorder level, stock in DLA1, stock in YDE1
PRODUCTS = [
    ("PC-HP250G9-I5", "Ordinateur portable HP 250 G9 Core i5 8 Go 512 Go SSD", "Ordinateurs portables", "HP",
     385000, 12, 2, 4, 3),
    ("PC-DELL3540-I5", "Ordinateur portable Dell Latitude 3540 Core i5 8 Go 256 Go SSD", "Ordinateurs portables",
     "Dell", 425000, 12, 2, 3, 2),
    ("PC-LEN-IP3-R5", "Ordinateur portable Lenovo IdeaPad 3 15\" Ryzen 5 8 Go 512 Go", "Ordinateurs portables",
     "Lenovo", 350000, 12, 2, 3, 2),
    ("ECR-HP-M24F", "Écran HP M24f 24 pouces Full HD", "Écrans", "HP", 95000, None, 2, 6, 4),
    ("ECR-DELL-SE2222H", "Écran Dell SE2222H 22 pouces", "Écrans", "Dell", 75000, None, 2, 5, 3),
    ("IMP-HP-M111W", "Imprimante HP LaserJet M111w Wi-Fi", "Imprimantes", "HP", 85000, None, 1, 3, 2),
    ("SSD-SAM-870-500", "Disque SSD Samsung 870 EVO 500 Go SATA", "Stockage", "Samsung", 45000, None, 3, 10, 6),
    ("USB-SAM-32G", "Clé USB Samsung BAR Plus 32 Go", "Stockage", "Samsung", 6000, None, 10, 40, 25),
    ("RT-TPL-ARCHER-C6", "Routeur Wi-Fi TP-Link Archer C6 AC1200", "Routeurs", "TP-Link", 28000, None, 3, 12, 8),
    ("RT-MTK-HAPAC2", "Routeur MikroTik hAP ac² double bande", "Routeurs", "MikroTik", 45000, None, 2, 6, 4),
    ("RT-CIS-RV340", "Routeur VPN Cisco RV340 double WAN", "Routeurs", "Cisco", 165000, 24, 1, 2, 1),
    ("RT-UBNT-UDM", "Passerelle Ubiquiti UniFi Dream Machine", "Routeurs", "Ubiquiti", 220000, 24, 1, 2, 1),
    ("SW-TPL-SG1008D", "Switch TP-Link TL-SG1008D 8 ports Gigabit", "Switches", "TP-Link", 15000, None, 5, 20, 12),
    ("SW-CIS-CBS110-16", "Switch Cisco CBS110-16T 16 ports Gigabit", "Switches", "Cisco", 75000, None, 2, 4, 2),
    ("SW-MTK-CRS326", "Switch MikroTik CRS326-24G-2S+RM 24 ports", "Switches", "MikroTik", 160000, None, 1, 2, 1),
    ("SW-UBNT-USW-L8P", "Switch Ubiquiti UniFi Lite 8 PoE", "Switches", "Ubiquiti", 85000, None, 2, 4, 3),
    ("AP-UBNT-U6-LITE", "Point d'accès Ubiquiti UniFi U6 Lite Wi-Fi 6", "Points d'accès", "Ubiquiti", 75000, None, 2,
     6, 4),
    ("AP-TPL-EAP225", "Point d'accès TP-Link Omada EAP225 AC1350", "Points d'accès", "TP-Link", 45000, None, 2, 5, 3),
    ("CAB-CAT6-305M", "Câble réseau Cat6 UTP bobine 305 m", "Câbles", None, 65000, None, 2, 8, 5),
    ("CAB-RJ45-CAT6-2M", "Câble RJ45 Cat6 2 m (cordon de brassage)", "Câbles", None, 1500, None, 20, 120, 80),
    ("CON-RJ45-CAT6-100", "Connecteurs RJ45 Cat6 (boîte de 100)", "Câbles", None, 7500, None, 5, 25, 15),
    ("TEL-SAM-A15-128", "Smartphone Samsung Galaxy A15 128 Go", "Smartphones", "Samsung", 115000, 12, 2, 5, 4),
    ("TEL-TEC-SPARK20", "Smartphone Tecno Spark 20 128 Go", "Smartphones", "Tecno", 95000, 12, 2, 5, 4),
    ("TEL-INF-HOT40I", "Smartphone Infinix Hot 40i 128 Go", "Smartphones", "Infinix", 85000, 12, 2, 5, 3),
    ("TEL-ITL-A70", "Smartphone Itel A70 64 Go", "Smartphones", "Itel", 55000, 12, 3, 6, 5),
    ("ACC-SAM-CHG-25W", "Chargeur Samsung USB-C 25 W", "Accessoires", "Samsung", 8500, None, 5, 25, 15),
    ("ACC-ITL-EARBUDS", "Écouteurs Bluetooth Itel T1", "Accessoires", "Itel", 12000, None, 5, 15, 10),
    ("ACC-HP-X200", "Souris sans fil HP X200", "Accessoires", "HP", 6500, None, 5, 20, 12),
    ("ACC-DELL-KB216", "Clavier USB Dell KB216 AZERTY", "Accessoires", "Dell", 7000, None, 5, 15, 10),
    ("ACC-MULTIPRISE-6", "Multiprise parafoudre 6 prises", "Accessoires", None, 9000, None, 5, 3, 2),
]

EAN_PREFIX = "620123"  # an invented company prefix: 6 digits, then 6 for the item, then the key


def demo_barcode(index):
    first_twelve = f"{EAN_PREFIX}{index:06d}"
    return first_twelve + str(ean13_check_digit(first_twelve))


def luhn_digit(digits):
    """The Luhn check digit of an IMEI's first 14 digits."""
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return (10 - total % 10) % 10


def demo_serial(product, store, unit):
    if product.category.name == "Smartphones":  # an IMEI: 8-digit type code, 6-digit serial, Luhn digit
        body = f"35{product.id % 1000000:06d}{store.id % 10}{unit:05d}"
        return body + str(luhn_digit(body))
    return f"SN{store.code}{product.id:04d}{unit:03d}"


def _price(amount, share):
    """A share of a price, rounded to the hundred francs."""
    hundreds = (Decimal(amount) * Decimal(share) / 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return hundreds * 100


def seed_demo_catalog(stores, at=None):
    """Create the demo categories, brands and products with stock in `stores` (idempotent).
    `at`: when that stock arrived (the demo history's first morning), else now."""
    from ..stock import services as stock
    from ..stock.models import SerialNumber

    categories = _ensure_categories()
    brands = _ensure_brands()
    existing = set(db.session.execute(select(Product.sku)).scalars())
    stores = sorted(stores, key=lambda s: s.code)
    new_products = []
    for index, (sku, name, category, brand, price, warranty, reorder, *quantities) in enumerate(PRODUCTS, start=1):
        if sku in existing:
            continue
        product = Product(
            sku=sku, barcode=demo_barcode(index), name=name, category=categories[category],
            brand=brands.get(brand), cost_price=_price(price, "0.78"), sale_price=Decimal(price),
            min_sale_price=_price(price, "0.93"), reorder_level=reorder, track_serial=warranty is not None,
            warranty_months=warranty or 0, description=None,
        )
        db.session.add(product)
        new_products.append((product, quantities))
    db.session.flush()
    reference = stock.Reference(type="DemoSeed", number="STOCK-INITIAL")
    note = "Stock initial de démonstration"
    with db.session.no_autoflush:  # the movements stay pending until the commit: `at` goes in their INSERT
        _stock_in(stock, stores, new_products, reference, note, at)
    if at is not None and new_products:
        db.session.execute(update(SerialNumber).where(SerialNumber.product_id.in_([p.id for p, _ in new_products]))
                           .values(received_at=at))
    db.session.commit()


def _stock_in(stock, stores, new_products, reference, note, at):
    for product, quantities in new_products:
        for store, quantity in zip(stores, quantities):
            if not product.track_serial:
                movement = stock.move(store.id, product.id, quantity, "PURCHASE", reference=reference, note=note)
            else:
                serials = [demo_serial(product, store, unit) for unit in range(1, quantity + 1)]
                movement = stock.receive_serials(store.id, product.id, serials, "PURCHASE", reference=reference,
                                                 note=note)
            if at is not None:  # not yet flushed: its INSERT carries the date
                movement.created_at = at


def _ensure_categories():
    by_path = {}
    rows = db.session.execute(select(Category)).scalars().all()
    for path in CATEGORIES:
        parent = by_path.get(path[:-1]) if len(path) > 1 else None
        found = next((c for c in rows if c.name == path[-1] and c.parent_id == (parent.id if parent else None)), None)
        if found is None:
            found = Category(name=path[-1], parent=parent)
            db.session.add(found)
            db.session.flush()
            rows.append(found)
        by_path[path] = found
    return {path[-1]: category for path, category in by_path.items()}


def _ensure_brands():
    found = {b.name: b for b in db.session.execute(select(Brand)).scalars()}
    for name in BRANDS:
        if name not in found:
            found[name] = Brand(name=name)
            db.session.add(found[name])
    return found
