"""Products in and out of Excel: import (create or update by sku), its template, exports.

Import rules (the template's "Instructions" sheet says the same to the people who fill it):
- The first sheet's first row holds the column names (French labels, or the field names);
  SKU, Nom and Prix de vente are required columns; an unknown or repeated column refuses the file.
- A row whose SKU exists updates that product, else a new product is created. Only the columns
  present in the file are written. On an existing product an empty cell leaves the value as it
  is; on a new one it means "empty" (optional fields) or the default value (TVA 19,25 %, Actif
  oui, prices and counts 0). Amounts are read as people type them ("12 500", "12 500 FCFA").
- Every row is checked (required values, numbers, prices >= 0, prix plancher <= prix de vente,
  TVA 0..100, barcode digits with the EAN-13 key when 13 digits, sku and barcode unique in the
  file and against the database); each error names its row (as Excel numbers it) and column.
- A category is written as its path ("Réseau > Routeurs"), a brand by its name; missing ones are
  CREATED (accents and case aside, an existing one is reused). The dry run lists them, so a typo
  is seen in the preview before anything is written.
- All or nothing: one error anywhere and nothing is written. A successful import writes one
  AuditLog row with its counts.
"""
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select, update

from ..core import audit
from ..core.formatting import format_money, format_percent, yes_no
from ..core.models import utcnow
from ..documents import excel
from ..extensions import db
from .models import (
    CATEGORY_PATH_SEPARATOR,
    DEFAULT_TAX_RATE,
    Brand,
    Category,
    Product,
    normalise,
    search_text_of,
)
from .services import (
    FieldError,
    check_price_floor,
    clean_barcode,
    clean_count,
    clean_money,
    clean_tax_rate,
)


@dataclass(frozen=True)
class ImportColumn:
    key: str
    label: str
    required: bool = False
    width: int = 14


COLUMNS = [
    ImportColumn("sku", "SKU", required=True, width=16),
    ImportColumn("barcode", "Code-barres", width=16),
    ImportColumn("name", "Nom", required=True, width=40),
    ImportColumn("category", "Catégorie", width=30),
    ImportColumn("brand", "Marque", width=14),
    ImportColumn("description", "Description", width=40),
    ImportColumn("cost_price", "Prix d'achat"),
    ImportColumn("sale_price", "Prix de vente", required=True),
    ImportColumn("min_sale_price", "Prix plancher"),
    ImportColumn("tax_rate", "TVA (%)", width=9),
    ImportColumn("reorder_level", "Seuil de réapprovisionnement", width=12),
    ImportColumn("is_active", "Actif", width=8),
    ImportColumn("track_serial", "Suivi par n° de série", width=10),
    ImportColumn("warranty_months", "Garantie (mois)", width=10),
]
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
TEXT_COLUMNS = (0, 1)  # sku and barcode: always text (leading zeros)
DEFAULTS = {"cost_price": Decimal("0.00"), "tax_rate": DEFAULT_TAX_RATE, "reorder_level": 0, "is_active": True,
            "track_serial": False, "warranty_months": 0}
TRUE_WORDS = {"1", "oui", "o", "vrai", "x", "yes", "y", "true"}
FALSE_WORDS = {"0", "non", "n", "faux", "no", "false", "-"}
MAX_REPORTED_ERRORS = 500
MAX_LISTED_ROWS = 200


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    dry_run: bool
    rows: int = 0
    created: list = field(default_factory=list)  # [{"row", "sku", "name"}]
    # [{"row", "sku", "name", "changes": [labels], "cells": [{"column", "old", "new"}]}]
    updated: list = field(default_factory=list)
    unchanged: int = 0
    new_categories: list = field(default_factory=list)
    new_brands: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # [{"row", "column", "message"}]
    error_count: int = 0

    @property
    def ok(self):
        return self.error_count == 0

    @property
    def error_rows(self):
        return sorted({error["row"] for error in self.errors if error["row"]})

    def add_error(self, row, column, message):
        self.error_count += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append({"row": row, "column": column, "message": str(message)})

    def to_dict(self):
        return {
            "dry_run": self.dry_run,
            "committed": not self.dry_run and self.ok,
            "rows": self.rows,
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": self.unchanged,
            "new_categories": self.new_categories,
            "new_brands": self.new_brands,
            "error_count": self.error_count,
            "errors": self.errors,
            "created_rows": self.created[:MAX_LISTED_ROWS],
            "updated_rows": self.updated[:MAX_LISTED_ROWS],
        }


def _header_key(text, columns=COLUMNS):
    wanted = normalise(text)
    for column in columns:
        if wanted in (normalise(column.label), column.key):
            return column.key
    return None


def _read_headers(headers, columns=COLUMNS):
    """Column index -> key; refuses unknown, repeated or missing required columns.
    `columns`: another import's ImportColumn list (purchase order lines reuse this check)."""
    keys, unknown, repeated = {}, [], []
    for index, header in enumerate(headers):
        if not header:  # a column without a title is left alone
            continue
        key = _header_key(header, columns)
        if key is None:
            unknown.append(header)
        elif key in keys.values():
            repeated.append(header)
        else:
            keys[index] = key
    missing = [column.label for column in columns if column.required and column.key not in keys.values()]
    problems = []
    if missing:
        problems.append(str(_l("colonne(s) obligatoire(s) absente(s) : %(names)s", names=", ".join(missing))))
    if unknown:
        problems.append(str(_l("colonne(s) inconnue(s) : %(names)s", names=", ".join(map(str, unknown)))))
    if repeated:
        problems.append(str(_l("colonne(s) en double : %(names)s", names=", ".join(repeated))))
    if problems:
        expected = ", ".join(column.label for column in columns)
        raise excel.SpreadsheetError(_l("En-têtes invalides (ligne 1) — %(problems)s. Colonnes attendues : "
                                        "%(expected)s.", problems="; ".join(problems), expected=expected))
    return keys


def _text(value, limit, collapse=True):
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = " ".join(str(value).split()) if collapse else str(value).strip()
    if len(text) > limit:
        raise FieldError(_l("Texte trop long (%(max)s caractères au plus).", max=limit))
    return text or None


def _bool(value):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    word = normalise(str(value))
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise FieldError(_l("Valeur oui/non attendue (oui, non, 1, 0)."))


def _barcode(value):
    if isinstance(value, float):
        if not value.is_integer():
            raise FieldError(_l("Le code-barres ne doit contenir que des chiffres."))
        value = int(value)
    return clean_barcode(value)


def _category_path(value):
    text = _text(value, 400)
    if text is None:
        return None
    parts = [" ".join(part.split()) for part in text.replace("›", ">").split(">")]
    if any(not part for part in parts):
        raise FieldError(_l("Chemin de catégorie invalide (ex. « Réseau > Routeurs »)."))
    if any(len(part) > 120 for part in parts):
        raise FieldError(_l("Nom de catégorie trop long (120 caractères au plus)."))
    return tuple(parts)


CLEANERS = {
    "sku": lambda v: _text(v, 64),
    "barcode": _barcode,
    "name": lambda v: _text(v, 200),
    "category": _category_path,
    "brand": lambda v: _text(v, 120),
    "description": lambda v: _text(v, 5000, collapse=False),
    "cost_price": lambda v: clean_money(v, required=False),
    "sale_price": lambda v: clean_money(v, required=False),
    "min_sale_price": lambda v: clean_money(v, required=False),
    "tax_rate": clean_tax_rate,
    "reorder_level": clean_count,
    "is_active": _bool,
    "track_serial": _bool,
    "warranty_months": clean_count,
}


class _Catalog:
    """What the import compares with: categories and brands by normalised name, products by sku."""

    def __init__(self):
        self.categories = {}  # (parent id or None, normalised name) -> id
        self.category_rows = {}
        for category in db.session.execute(select(Category.id, Category.name, Category.parent_id)).all():
            self.categories[(category.parent_id, normalise(category.name))] = category.id
            self.category_rows[category.id] = category
        self.brand_names = dict(db.session.execute(select(Brand.id, Brand.name)).all())
        self.brands = {normalise(name): id_ for id_, name in self.brand_names.items()}
        self.new_categories = {}  # path tuple (normalised) -> display path
        self.new_brands = {}  # normalised -> name

    def category_path(self, category_id):
        names = []
        while category_id is not None:
            row = self.category_rows[category_id]
            names.append(row.name)
            category_id = row.parent_id
        return CATEGORY_PATH_SEPARATOR.join(reversed(names))

    def find_category(self, parts):
        """The id of an existing category for that path, or None (then it will be created)."""
        parent = None
        for depth, part in enumerate(parts):
            parent = self.categories.get((parent, normalise(part)))
            if parent is None:
                for prefix_len in range(depth + 1, len(parts) + 1):
                    prefix = parts[:prefix_len]
                    key = tuple(normalise(p) for p in prefix)
                    self.new_categories.setdefault(key, prefix)
                return None
        return parent

    def find_brand(self, name):
        brand_id = self.brands.get(normalise(name))
        if brand_id is None:
            self.new_brands.setdefault(normalise(name), name)
        return brand_id


def _products_by(column, values):
    found = {}
    values = list(values)
    for start in range(0, len(values), 900):
        chunk = values[start:start + 900]
        for product in db.session.execute(select(Product).where(column.in_(chunk))).scalars():
            found[getattr(product, column.key)] = product
    return found


def import_products(data, filename=None, *, dry_run=True):
    """Read, check and (unless `dry_run`, and only when every row is valid) write the products.

    Raises excel.SpreadsheetError (400) for a file that is not a readable .xlsx with the right
    columns; row errors are in the report (nothing is written when there is one).
    """
    workbook = excel.open_workbook(data, filename)
    try:
        sheet = excel.first_sheet(workbook)
        keys = _read_headers(sheet.headers)
        labels = {key: sheet.headers[index] for index, key in keys.items()}
        report = ImportReport(dry_run=dry_run)
        rows = []
        seen_skus, seen_barcodes = {}, {}
        for number, values in sheet.rows:
            report.rows += 1
            row = {"_row": number}
            for index, key in keys.items():
                try:
                    row[key] = CLEANERS[key](values[index])
                except FieldError as exc:
                    report.add_error(number, labels[key], exc)
                    row[key] = FieldError
            for key in ("sku", "name", "sale_price"):
                if row.get(key) is None:
                    report.add_error(number, labels[key], _l("Valeur obligatoire."))
                    row[key] = FieldError
            if row["sku"] is not FieldError and row["sku"] is not None:
                if any(c.isspace() for c in row["sku"]):
                    report.add_error(number, labels["sku"], _l("La référence (SKU) ne doit pas contenir d'espace."))
                elif row["sku"] in seen_skus:
                    report.add_error(number, labels["sku"], _l("SKU « %(sku)s » déjà présent à la ligne %(row)s du "
                                                               "fichier.", sku=row["sku"], row=seen_skus[row["sku"]]))
                else:
                    seen_skus[row["sku"]] = number
            barcode = row.get("barcode")
            if barcode not in (None, FieldError):
                if barcode in seen_barcodes:
                    report.add_error(number, labels["barcode"], _l(
                        "Code-barres %(code)s déjà présent à la ligne %(row)s du fichier.", code=barcode,
                        row=seen_barcodes[barcode]))
                else:
                    seen_barcodes[barcode] = number
            try:
                sale = row["sale_price"] if row["sale_price"] is not FieldError else None
                floor = row.get("min_sale_price") if row.get("min_sale_price") is not FieldError else None
                check_price_floor(sale, floor)
            except FieldError as exc:
                report.add_error(number, labels["min_sale_price"], exc)
            rows.append(row)
    finally:
        workbook.close()
    if report.rows == 0:
        raise excel.SpreadsheetError(_l("Le fichier ne contient aucun produit (seulement la ligne d'en-têtes)."))
    return _compare_and_write(report, rows, keys, labels, filename, dry_run)


def _compare_and_write(report, rows, keys, labels, filename, dry_run):
    present = set(keys.values())
    catalog = _Catalog()
    existing = _products_by(Product.sku, [r["sku"] for r in rows if isinstance(r["sku"], str)])
    by_barcode = _products_by(Product.barcode, [r["barcode"] for r in rows if isinstance(r.get("barcode"), str)])
    file_barcode_of_sku = {r["sku"]: r.get("barcode") for r in rows if isinstance(r["sku"], str)}
    creates, updates = [], []
    for row in rows:
        number = row["_row"]
        product = existing.get(row["sku"]) if isinstance(row["sku"], str) else None
        barcode = row.get("barcode")
        if isinstance(barcode, str):
            owner = by_barcode.get(barcode)
            # Taken by another product that keeps it (not in this file, or keeping it in this file)
            if owner is not None and owner is not product and (
                    owner.sku not in file_barcode_of_sku or "barcode" not in present
                    or file_barcode_of_sku[owner.sku] in (barcode, None)):  # an empty cell keeps it
                report.add_error(number, labels["barcode"], _l(
                    "Code-barres %(code)s déjà attribué au produit %(sku)s.", code=barcode, sku=owner.sku))
        if product is not None and row.get("min_sale_price") is None and "sale_price" in present:
            sale = row["sale_price"]
            if isinstance(sale, Decimal) and product.min_sale_price is not None and product.min_sale_price > sale:
                report.add_error(number, labels["sale_price"], _l(
                    "Le prix de vente est inférieur au prix plancher actuel (%(floor)s).",
                    floor=product.min_sale_price))
        if any(value is FieldError for value in row.values()):
            continue
        values = _values_of(row, present, catalog, keep_empty=product is not None)
        if product is None:
            creates.append((number, values))
            report.created.append({"row": number, "sku": values["sku"], "name": values["name"]})
        else:
            changes = _changes(product, values, catalog)
            if changes:
                updates.append((number, product, values))
                report.updated.append({"row": number, "sku": product.sku, "name": values.get("name", product.name),
                                       "changes": [COLUMN_BY_KEY[key].label for key in changes],
                                       "cells": [_cell_change(key, product, values, catalog) for key in changes]})
            else:
                report.unchanged += 1
    report.new_categories = [CATEGORY_PATH_SEPARATOR.join(parts) for parts in catalog.new_categories.values()]
    report.new_brands = list(catalog.new_brands.values())
    report.errors.sort(key=lambda e: (e["row"] or 0))
    if dry_run or not report.ok:
        db.session.rollback()
        return report
    _write(report, catalog, creates, updates, present, filename)
    return report


def _values_of(row, present, catalog, keep_empty=False):
    """keep_empty (an existing product): an empty cell leaves the value as it is (issue 19 item 8)."""
    values = {}
    for key in present:
        value = row[key]
        if keep_empty and value is None:
            continue
        if key == "category":
            values["category_id"] = catalog.find_category(value) if value else None
            values["_category_path"] = value
        elif key == "brand":
            values["brand_id"] = catalog.find_brand(value) if value else None
            values["_brand_name"] = value
        elif value is None and key in DEFAULTS:
            values[key] = DEFAULTS[key]
        else:
            values[key] = value
    return values


def _changes(product, values, catalog):
    changed = []
    for key in COLUMN_BY_KEY:
        if key == "category" and "_category_path" in values:
            if values["category_id"] != product.category_id or (values["_category_path"] and values["category_id"] is None):
                changed.append(key)
        elif key == "brand" and "_brand_name" in values:
            if values["brand_id"] != product.brand_id or (values["_brand_name"] and values["brand_id"] is None):
                changed.append(key)
        elif key in values and key != "sku" and values[key] != getattr(product, key):
            changed.append(key)
    return changed


MONEY_KEYS = ("cost_price", "sale_price", "min_sale_price")
SHOWN_TEXT = 60


def _shown(key, value):
    """A cell's value as the preview shows it: "45 000 FCFA", "19,25 %", "oui", "—" when empty."""
    if value is None or value == "":
        return "—"
    if key in MONEY_KEYS:
        return format_money(value)
    if key == "tax_rate":
        return format_percent(value)
    if key in ("is_active", "track_serial"):
        return str(yes_no(value))
    text = " ".join(str(value).split())
    return text if len(text) <= SHOWN_TEXT else text[:SHOWN_TEXT - 1] + "…"


def _cell_change(key, product, values, catalog):
    """One modified cell as old -> new, for the preview."""
    if key == "category":
        old = catalog.category_path(product.category_id) if product.category_id else None
        new = CATEGORY_PATH_SEPARATOR.join(values["_category_path"]) if values["_category_path"] else None
    elif key == "brand":
        old, new = catalog.brand_names.get(product.brand_id), values["_brand_name"]
    else:
        old, new = getattr(product, key), values[key]
    return {"column": COLUMN_BY_KEY[key].label, "old": _shown(key, old), "new": _shown(key, new)}


def _write(report, catalog, creates, updates, present, filename):
    category_ids = _create_categories(catalog)
    brand_ids = {}
    for key, name in catalog.new_brands.items():
        brand = Brand(name=name)
        db.session.add(brand)
        db.session.flush()
        brand_ids[key] = brand.id

    def resolve(values):
        row = {k: v for k, v in values.items() if not k.startswith("_")}
        if "_category_path" in values and values["_category_path"] and values["category_id"] is None:
            row["category_id"] = category_ids[tuple(normalise(p) for p in values["_category_path"])]
        if "_brand_name" in values and values["_brand_name"] and values["brand_id"] is None:
            row["brand_id"] = brand_ids[normalise(values["_brand_name"])]
        return row

    now = utcnow()
    if creates:
        new_rows = []
        for _, values in creates:
            row = {"barcode": None, "category_id": None, "brand_id": None, "description": None,
                   "min_sale_price": None, **DEFAULTS, **resolve(values)}
            row.update(search_text=search_text_of(row["name"], row["sku"]), created_at=now, updated_at=now)
            new_rows.append(row)
        for start in range(0, len(new_rows), 1000):
            db.session.execute(insert(Product), new_rows[start:start + 1000])
    if updates:
        if "barcode" in present:  # free the barcodes that move between products first
            moving = [{"id": product.id, "barcode": None} for _, product, values in updates
                      if product.barcode is not None and "barcode" in values and values["barcode"] != product.barcode]
            if moving:
                db.session.execute(update(Product), moving)
        changed_rows = []
        for _, product, values in updates:
            row = {"id": product.id, **resolve(values), "updated_at": now}
            row["search_text"] = search_text_of(row.get("name", product.name), row.get("sku", product.sku))
            changed_rows.append(row)
        for row in changed_rows:  # one UPDATE per set of columns: rows differ only in values
            row.pop("sku", None)
        db.session.execute(update(Product), changed_rows)
    audit.record("catalog.import", object_type="Product", object_id=None, after={
        "file": (filename or "")[:200], "rows": report.rows, "created": len(report.created),
        "updated": len(report.updated), "unchanged": report.unchanged,
        "new_categories": report.new_categories, "new_brands": report.new_brands,
    })
    db.session.commit()


def _create_categories(catalog):
    ids = {}
    for key, parts in sorted(catalog.new_categories.items(), key=lambda item: len(item[0])):
        parent_key = key[:-1]
        if parent_key:
            parent_id = ids.get(parent_key)
            if parent_id is None:  # an existing parent
                parent_id = None
                for part in parent_key:
                    parent_id = catalog.categories[(parent_id, part)]
        else:
            parent_id = None
        category = Category(name=parts[-1], parent_id=parent_id)
        db.session.add(category)
        db.session.flush()
        ids[key] = category.id
        catalog.categories[(parent_id, key[-1])] = category.id
    return ids


# --- template and exports -------------------------------------------------------------

INSTRUCTIONS = [
    ("SKU", "Obligatoire. Référence unique du produit : une ligne dont le SKU existe met ce produit à jour, "
            "sinon un produit est créé."),
    ("Code-barres", "Chiffres seulement (EAN-13, UPC...). Un code de 13 chiffres doit avoir une clé EAN-13 "
                    "valide. Unique."),
    ("Nom", "Obligatoire."),
    ("Catégorie", "Chemin de la catégorie, ex. « Réseau > Routeurs ». Une catégorie absente est créée."),
    ("Marque", "Nom de la marque. Une marque absente est créée."),
    ("Description", "Texte libre."),
    ("Prix d'achat", "Montant en FCFA, positif ou nul (0 si vide)."),
    ("Prix de vente", "Obligatoire. Montant TTC en FCFA, positif ou nul."),
    ("Prix plancher", "Prix minimum sans accord du gérant ; ne peut pas dépasser le prix de vente."),
    ("TVA (%)", "Entre 0 et 100 (19,25 si vide)."),
    ("Seuil de réapprovisionnement", "Nombre entier positif ou nul (0 si vide)."),
    ("Actif", "oui / non (oui si vide)."),
    ("Suivi par n° de série", "oui / non (non si vide) : un numéro de série ou IMEI par unité."),
    ("Garantie (mois)", "Nombre entier positif ou nul (0 si vide)."),
    ("", ""),
    ("Règles", "Seules les colonnes présentes sont modifiées. Sur un produit existant, une cellule vide laisse "
               "la valeur telle qu'elle est ; sur un nouveau produit, elle vaut « vide » ou la valeur par "
               "défaut. Les montants s'écrivent comme d'habitude (12 500 ou 12 500 FCFA). Le fichier est entièrement vérifié avant l'import : à la moindre erreur, rien n'est "
               "importé et chaque erreur indique sa ligne et sa colonne."),
]


def template_workbook():
    example = ("RT-EXEMPLE-01", "6001234567899", "Routeur Wi-Fi exemple (à supprimer)", "Réseau > Routeurs",
               "TP-Link", "", 15000, 22000, 20000, 19.25, 2, "oui", "non", 12)
    return excel.workbook_bytes([
        ("Produits", [c.label for c in COLUMNS], [example],
         {"widths": [c.width for c in COLUMNS], "text_columns": TEXT_COLUMNS}),
        ("Instructions", ["Colonne", "Contenu attendu"], INSTRUCTIONS, {"widths": [28, 110]}),
    ])


def _category_paths():
    rows = {c.id: c for c in db.session.execute(select(Category.id, Category.name, Category.parent_id)).all()}
    paths = {}

    def path(category_id, depth=0):
        if category_id not in paths:
            row = rows[category_id]
            prefix = path(row.parent_id, depth + 1) + CATEGORY_PATH_SEPARATOR if row.parent_id and depth < 50 else ""
            paths[category_id] = prefix + row.name
        return paths[category_id]

    for category_id in rows:
        path(category_id)
    return paths


def _yes_no(value):
    return "oui" if value else "non"


def export_products_workbook(with_costs=True):
    """Every product, in the import's columns: the file re-imports to the same catalog. Without
    `with_costs` (roles that may not see cost prices) the cost column is left out."""
    categories = _category_paths()
    brands = dict(db.session.execute(select(Brand.id, Brand.name)).all())
    statement = select(Product).order_by(Product.sku).execution_options(yield_per=1000)
    kept = [index for index, column in enumerate(COLUMNS) if with_costs or column.key != "cost_price"]
    columns = [COLUMNS[index] for index in kept]

    def rows():
        for product in db.session.execute(statement).scalars():
            row = (product.sku, product.barcode, product.name, categories.get(product.category_id),
                   brands.get(product.brand_id), product.description, product.cost_price, product.sale_price,
                   product.min_sale_price, product.tax_rate, product.reorder_level, _yes_no(product.is_active),
                   _yes_no(product.track_serial), product.warranty_months)
            yield tuple(row[index] for index in kept)

    return excel.workbook_bytes([("Produits", [c.label for c in columns], rows(),
                                  {"widths": [c.width for c in columns], "text_columns": TEXT_COLUMNS})])


STOCK_HEADERS = ["Magasin", "SKU", "Code-barres", "Nom", "Catégorie", "Marque", "Quantité", "Réservé", "Disponible",
                 "Seuil de réapprovisionnement", "Stock bas"]


def export_stock_workbook(store_ids):
    """Stock of every active product in each of `store_ids` (0 where it has never been)."""
    from ..stock.models import ProductStock
    from ..stores.models import Store

    categories = _category_paths()
    brands = dict(db.session.execute(select(Brand.id, Brand.name)).all())
    statement = (
        select(Store.code, Product.sku, Product.barcode, Product.name, Product.category_id, Product.brand_id,
               ProductStock.quantity, ProductStock.reserved, Product.reorder_level)
        .select_from(Store)
        .join(Product, Product.is_active.is_(True))
        .outerjoin(ProductStock, (ProductStock.store_id == Store.id) & (ProductStock.product_id == Product.id))
        .where(Store.id.in_(store_ids))
        .order_by(Store.code, Product.sku)
        .execution_options(yield_per=2000)
    )

    def rows():
        for row in db.session.execute(statement):
            quantity, reserved = row.quantity or 0, row.reserved or 0
            available = quantity - reserved
            yield (row.code, row.sku, row.barcode, row.name, categories.get(row.category_id),
                   brands.get(row.brand_id), quantity, reserved, available, row.reorder_level,
                   "oui" if available <= row.reorder_level else "")

    return excel.workbook_bytes([("Stock", STOCK_HEADERS, rows(),
                                  {"widths": [9, 16, 16, 40, 30, 14, 10, 10, 10, 12, 9], "text_columns": (1, 2)})])
