"""Catalog rules: product, category and brand checks, barcodes, product search (the POS, the
back office's list and stock forms: one search), product images.

Plain functions with explicit arguments; they raise domain errors (app/core/errors.py),
which the API and the screens turn into French answers. The Excel import and export
live in app/catalog/spreadsheets.py and use the same field checks.
"""
import functools
import io
import os
import uuid
from decimal import Decimal

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, String, and_, bindparam, case, event, func, or_, select
from sqlalchemy.orm import Session

from ..core import audit, inputs
from ..core.errors import BadRequest, ValidationFailed
from ..core.inputs import FieldError
from ..core.money import to_money
from ..core.scoping import is_admin, user_store_ids
from ..extensions import db
from .models import Brand, Category, Product, ProductImage, normalise

SEARCH_LIMIT = 20
SEARCH_MAX_WORDS = 8
SEARCH_MAX_LENGTH = 100

IMAGE_FORMATS = {  # Pillow format -> (content type, file extension)
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
DEFAULT_IMAGE_MAX_BYTES = 2 * 1024 * 1024
IMAGE_MAX_PIXELS = 40_000_000  # 40 megapixels: larger is a decompression bomb, not a product photo


# --- field checks (shared by the API, the screens and the Excel import) -----------------

def ean13_check_digit(first_twelve: str) -> int:
    """The 13th digit of an EAN-13 whose first 12 digits are given."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first_twelve))
    return (10 - total % 10) % 10


def is_valid_ean13(code: str) -> bool:
    return len(code) == 13 and code.isdigit() and ean13_check_digit(code[:12]) == int(code[12])


def clean_barcode(value):
    """None, or a string of digits (EAN-13 checksum verified when 13 digits). Raises FieldError."""
    if value is None:
        return None
    text = str(value).strip().replace(" ", "")
    if not text:
        return None
    if not text.isdigit() or not text.isascii():
        raise FieldError(_l("Le code-barres ne doit contenir que des chiffres."))
    if len(text) > 32:
        raise FieldError(_l("Code-barres trop long (32 chiffres au plus)."))
    if len(text) == 13 and not is_valid_ean13(text):
        raise FieldError(_l("Code EAN-13 invalide : la clé de contrôle devrait être %(digit)s.",
                            digit=ean13_check_digit(text[:12])))
    return text


def clean_tax_rate(value):
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip().rstrip("%").strip()
    try:
        rate = to_money(text)
    except ValueError:
        raise FieldError(_l("Taux de TVA invalide.")) from None
    if rate < 0 or rate > 100:
        raise FieldError(_l("Le taux de TVA doit être compris entre 0 et 100."))
    return rate


# Prices are store money: whole francs, like a sale's (core.inputs).
clean_money = inputs.money


def clean_count(value):
    """A whole number 0..MAX_QUANTITY (None when empty): a reorder level, months of warranty."""
    try:
        return inputs.quantity(value, minimum=0, required=False)
    except FieldError:
        raise FieldError(_l("Nombre entier positif ou nul attendu.")) from None


def check_price_floor(sale_price, min_sale_price):
    if sale_price is not None and min_sale_price is not None and min_sale_price > sale_price:
        raise FieldError(_l("Le prix plancher ne peut pas dépasser le prix de vente."))


# --- products, categories, brands -------------------------------------------------------

def validate_product(product):
    """Normalise and check a product about to be saved (API and screens). Raises ValidationFailed.

    sku and barcode uniqueness is left to the database (a clean 409 Duplicate).
    """
    errors = {}

    def field(name, check):
        try:
            return check()
        except FieldError as exc:
            errors[name] = [str(exc)]
            return None

    product.sku = (product.sku or "").strip()
    product.name = " ".join((product.name or "").split())
    if not product.sku:
        errors["sku"] = [str(_l("Champ obligatoire."))]
    elif any(c.isspace() for c in product.sku):
        errors["sku"] = [str(_l("La référence (SKU) ne doit pas contenir d'espace."))]
    if not product.name:
        errors["name"] = [str(_l("Champ obligatoire."))]
    product.barcode = field("barcode", lambda: clean_barcode(product.barcode))
    sale_price = field("sale_price", lambda: clean_money(product.sale_price))
    cost_price = field("cost_price", lambda: clean_money(product.cost_price, required=False))
    min_sale_price = field("min_sale_price", lambda: clean_money(product.min_sale_price, required=False))
    tax_rate = field("tax_rate", lambda: clean_tax_rate(product.tax_rate))
    for name in ("reorder_level", "warranty_months"):
        value = field(name, lambda name=name: clean_count(getattr(product, name)))
        if name not in errors:
            setattr(product, name, value or 0)
    if "sale_price" not in errors:
        product.sale_price = sale_price
    if "cost_price" not in errors:
        product.cost_price = cost_price if cost_price is not None else Decimal("0")
    if "min_sale_price" not in errors:
        product.min_sale_price = min_sale_price
    if "tax_rate" not in errors and tax_rate is not None:
        product.tax_rate = tax_rate
    if not errors:
        field("min_sale_price", lambda: check_price_floor(product.sale_price, product.min_sale_price))
    if errors:
        raise ValidationFailed(errors=errors)


def validate_category(category):
    """A name, no loop in the tree, and no two sisters with the same name (accents and case aside)."""
    with db.session.no_autoflush:  # the category being checked is not in the session yet
        _check_category(category)


def _check_category(category):
    category.name = " ".join((category.name or "").split())
    if not category.name:
        raise ValidationFailed(errors={"name": [_l("Champ obligatoire.")]})
    if ">" in category.name:
        raise ValidationFailed(errors={"name": [_l("Le nom ne peut pas contenir le caractère « > ».")]})
    parent_id = category.parent.id if category.parent is not None else category.parent_id
    node = category.parent if category.parent is not None else (
        db.session.get(Category, parent_id) if parent_id else None)
    seen = set()
    while node is not None:
        if (category.id is not None and node.id == category.id) or node is category or node.id in seen:
            raise ValidationFailed(errors={"parent": [
                _l("Une catégorie ne peut pas être rangée sous elle-même ou sous une de ses sous-catégories.")]})
        seen.add(node.id)
        node = node.parent
    sisters = db.session.execute(
        select(Category.id, Category.name).where(
            Category.parent_id.is_(None) if parent_id is None else Category.parent_id == parent_id)
    ).all()
    wanted = normalise(category.name)
    if any(normalise(name) == wanted and id_ != category.id for id_, name in sisters):
        raise ValidationFailed(errors={"name": [_l("Une catégorie de ce nom existe déjà à cet endroit.")]})


def validate_brand(brand):
    brand.name = " ".join((brand.name or "").split())
    if not brand.name:
        raise ValidationFailed(errors={"name": [_l("Champ obligatoire.")]})
    wanted = normalise(brand.name)
    for id_, name in db.session.execute(select(Brand.id, Brand.name)).all():
        if normalise(name) == wanted and id_ != brand.id:
            raise ValidationFailed(errors={"name": [_l("Cette marque existe déjà.")]})


# --- product search (the POS, the product list, the stock forms) -------------------------

def _escape_like(text):
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _match_conditions(word_count, sqlite, param=bindparam):
    """The search's three ways to match a product (exact barcode, sku prefix, every word in
    search_text), on the parameters "q", "prefix" and "word<i>" made by `param`: the one
    definition shared by the POS search and the back office's product filter."""
    # PostgreSQL's LIKE escapes with a backslash by default (and an explicit ESCAPE would hide
    # the constant prefix from the planner); SQLite needs it said.
    escape = "\\" if sqlite else None
    by_barcode = Product.barcode == param("q")
    by_sku = func.lower(Product.sku).like(param("prefix", type_=String), escape=escape)
    by_words = (and_(*[Product.search_text.like(param(f"word{i}"), escape=escape) for i in range(word_count)])
                if word_count else None)
    return by_barcode, by_sku, by_words


def _search_parameters(q):
    """(words, parameters) of a search for `q`, or None when there is nothing to look for."""
    q = " ".join((q or "").split())[:SEARCH_MAX_LENGTH]
    if not q:
        return None
    words = normalise(q).split()[:SEARCH_MAX_WORDS]
    params = {"q": q, "prefix": _escape_like(q.lower()) + "%"}
    params.update({f"word{i}": "%" + _escape_like(word) + "%" for i, word in enumerate(words)})
    return words, params


def _is_sqlite():
    return db.session.get_bind().dialect.name == "sqlite"


def search_statement(q, store_id, limit=SEARCH_LIMIT):
    """The one SELECT behind the POS search and its parameters, or None when `q` has nothing to
    look for.

    Written for PostgreSQL's indexes: `barcode = q` (unique index), `lower(sku) LIKE 'prefix%'`
    (ix_product_sku_prefix, text_pattern_ops) and one `search_text LIKE '%word%'` per word
    (ix_product_search_trgm, a GIN trigram index); the store's stock is joined in the same query.
    """
    found = _search_parameters(q)
    if found is None:
        return None
    words, params = found
    params.update(store_id=store_id, limit=limit)
    return _search_shape(len(words), _is_sqlite()), params


def product_match(q):
    """The search's condition on Product for `q` (None when `q` is blank), with its values bound:
    what the back office's product list filters by, so that it finds what the POS finds."""
    found = _search_parameters(q)
    if found is None:
        return None
    words, params = found

    def param(name, type_=None):
        return bindparam(name, params[name], type_=type_, unique=True)

    return or_(*[c for c in _match_conditions(len(words), _is_sqlite(), param) if c is not None])


def product_by_name(text):
    """The one active product the search finds for `text` (a name typed in part, "cisco 2960"),
    for a form's product field. Raises ValidationFailed when none or several match."""
    condition = product_match(text)
    found = [] if condition is None else db.session.execute(
        select(Product).where(Product.is_active.is_(True), condition).order_by(*french_order()).limit(2)
    ).scalars().all()
    shown = _quoted(text)
    if not found:
        raise ValidationFailed(errors={"product": [_l("Produit introuvable : « %(text)s ».", text=shown)]})
    if len(found) > 1:
        raise ValidationFailed(errors={"product": [_l(
            "Plusieurs produits correspondent à « %(text)s » : choisissez-en un dans la liste ou donnez son SKU.",
            text=shown)]})
    return found[0]


def _quoted(text, limit=60):
    text = " ".join(str(text or "").split())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def french_order(descending=False):
    """ORDER BY terms sorting products by name as French readers expect ("Écran" among the E's,
    case aside, on any database collation): the accent-free, lower-case search_text first."""
    terms = [Product.search_text, Product.name, Product.id]
    return [term.desc() for term in terms] if descending else terms


@functools.lru_cache(maxsize=2 * (SEARCH_MAX_WORDS + 1))
def _search_shape(word_count, sqlite):
    """The search's SELECT for `word_count` words, built once: building and keying a statement of
    this size took more CPU than running it (every keystroke at the POS searches)."""
    from ..stock.models import ProductStock

    by_barcode, by_sku, by_words = _match_conditions(word_count, sqlite)
    matches = [c for c in (by_barcode, by_sku, by_words) if c is not None]
    rank = case((by_barcode, 0), (by_sku, 1), else_=2).label("rank")
    # The 20 best products first, then their stock in the store: joining the stock of every
    # match (hundreds for two common words) before the LIMIT would cost more than the search.
    found = (
        select(Product.id, Product.sku, Product.barcode, Product.name, Product.sale_price, Product.min_sale_price,
               Product.tax_rate, Product.track_serial, Product.search_text, rank)
        .where(Product.is_active.is_(True), or_(*matches))
        .order_by(rank, Product.search_text, Product.id)
        .limit(bindparam("limit", type_=Integer))
        .subquery("found")
    )
    available = func.coalesce(ProductStock.quantity - ProductStock.reserved, 0)
    return (
        select(found.c.id, found.c.sku, found.c.barcode, found.c.name, found.c.sale_price, found.c.min_sale_price,
               found.c.tax_rate, found.c.track_serial, available.label("available"))
        .select_from(found)
        .outerjoin(ProductStock, and_(ProductStock.product_id == found.c.id,
                                      ProductStock.store_id == bindparam("store_id")))
        .order_by(found.c.rank, found.c.search_text, found.c.id)
    )


def search_products(q, store_id, limit=SEARCH_LIMIT):
    """Active products found by exact barcode, sku prefix or every word of the name, with the
    units available in `store_id` (quantity - reserved, 0 without a stock row). At most 20."""
    search = search_statement(q, store_id, min(limit, SEARCH_LIMIT))
    if search is None:
        return []
    statement, params = search
    return [dict(row._mapping) for row in db.session.execute(statement, params)]


def search_store_id(user, store):
    """The store a search runs in: one of the user's stores (404 otherwise).

    Without `store`, a user with exactly one store searches in it.
    """
    if store in (None, ""):
        stores = user_store_ids(user)
        if len(stores) == 1 and not is_admin(user):
            return stores[0]
        raise BadRequest(errors={"store": [_l("Précisez le magasin (paramètre store).")]})
    try:
        int(store)
    except (TypeError, ValueError):
        raise BadRequest(errors={"store": [_l("Identifiant de magasin invalide.")]}) from None
    from ..stores.models import Store

    return Store.for_action(user, store).id


# --- product images -----------------------------------------------------------------------

def image_folder():
    folder = current_app.config.get("PRODUCT_IMAGE_FOLDER") or os.path.join(
        current_app.instance_path, "uploads", "products")
    os.makedirs(folder, exist_ok=True)
    return folder


def image_path(image):
    return os.path.join(image_folder(), os.path.basename(image.filename))


def check_image(data: bytes):
    """(content type, extension) of a JPEG, PNG or WebP picture, judged by its content. Raises BadRequest."""
    from PIL import Image, UnidentifiedImageError

    limit = current_app.config.get("PRODUCT_IMAGE_MAX_BYTES", DEFAULT_IMAGE_MAX_BYTES)
    if not data:
        raise BadRequest(_l("Le fichier est vide."), errors={"image": [_l("Fichier vide.")]})
    if len(data) > limit:
        message = _l("Image trop volumineuse : %(max)s Mo au plus.", max=round(limit / 1024 / 1024, 1))
        raise BadRequest(message, errors={"image": [message]})
    refused = _l("Ce fichier n'est pas une image JPEG, PNG ou WebP valide.")
    try:
        with Image.open(io.BytesIO(data)) as picture:
            kind = picture.format
            width, height = picture.size
            picture.verify()
        if kind not in IMAGE_FORMATS or width * height > IMAGE_MAX_PIXELS:
            raise BadRequest(refused, errors={"image": [refused]})
        with Image.open(io.BytesIO(data)) as picture:
            picture.load()  # decode it all: a truncated or forged file fails here
    except BadRequest:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise BadRequest(refused, errors={"image": [refused]}) from None
    return IMAGE_FORMATS[kind]


def save_image_file(data: bytes):
    """Check a picture by its content and store it outside static/ under a generated name.

    Returns the ProductImage fields (filename, content_type, size); the client's file name is
    never used for the path."""
    content_type, extension = check_image(data)
    filename = f"{uuid.uuid4().hex}.{extension}"
    with open(os.path.join(image_folder(), filename), "xb") as handle:
        handle.write(data)
    return {"filename": filename, "content_type": content_type, "size": len(data)}


def client_file_name(name):
    """The client's file name, kept for people only (never a path)."""
    return os.path.basename((name or "").replace("\\", "/"))[:255] or None


def add_product_image(product, data: bytes, original_name=None):
    """Store a checked picture for `product` and commit (one audit row)."""
    stored = save_image_file(data)
    try:
        image = ProductImage(product=product, original_name=client_file_name(original_name), **stored)
        db.session.add(image)
        db.session.flush()
        record_image_added(image)
        db.session.commit()
    except Exception:
        db.session.rollback()
        os.remove(os.path.join(image_folder(), stored["filename"]))
        raise
    return image


def record_image_added(image):
    audit.record("catalog.image_added", image, after={"product_id": image.product_id, "filename": image.filename,
                                                      "size": image.size})


# Files of deleted images go when the deletion is committed (a rollback keeps them).
@event.listens_for(ProductImage, "after_delete")
def _remember_deleted_file(_mapper, _connection, image):
    try:
        path = image_path(image)
    except RuntimeError:  # no app context: nothing to clean up
        return
    db.session.info.setdefault("catalog_files_to_remove", []).append(path)


@event.listens_for(Session, "after_commit")
def _remove_deleted_files(session):
    for path in session.info.pop("catalog_files_to_remove", []):
        try:
            os.remove(path)
        except OSError:
            pass


@event.listens_for(Session, "after_rollback")
def _keep_files_on_rollback(session):
    session.info.pop("catalog_files_to_remove", None)
