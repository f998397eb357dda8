"""flask init-security, flask seed-data, flask seed-demo-data."""
import re
import time

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import delete, select, text
from werkzeug.security import check_password_hash

from .accounts.roles import ADMIN, ROLE_PERMISSIONS, ROLES
from .extensions import db, security_manager
from .security import hash_password

DEMO_STORES = [
    {"code": "DLA1", "name": "Douala Akwa", "address": "Boulevard de la Liberté, Akwa, Douala",
     "phone": "+237 233 42 00 01", "tax_id": "M012345678901A",
     "invoice_footer": "Merci de votre confiance. Garantie selon conditions du fabricant."},
    {"code": "YDE1", "name": "Yaoundé Centre", "address": "Avenue Kennedy, Yaoundé",
     "phone": "+237 222 23 00 02", "tax_id": "M012345678902B",
     "invoice_footer": "Merci de votre confiance. Garantie selon conditions du fabricant."},
]

# email, password, role, first name, last name, store codes
DEMO_ACCOUNTS = [
    ("admin@boutique.cm", "admin123!", "ADMIN", "Awa", "Admin", ["DLA1", "YDE1"]),
    ("manager@boutique.cm", "manager123!", "MANAGER", "Marc", "Manga", ["DLA1", "YDE1"]),
    ("vendeur1@boutique.cm", "vendeur123!", "SALES", "Valérie", "Ndongo", ["DLA1"]),
    ("caissier@boutique.cm", "caissier123!", "CASHIER", "Carine", "Etoa", ["DLA1"]),
    ("magasinier@boutique.cm", "stock123!", "STOCKER", "Moussa", "Bello", ["DLA1", "YDE1"]),
]

# FAB's permission tables survive --flush; `flask init-security` owns them.
KEPT_TABLES = {"ab_permission", "ab_view_menu", "ab_permission_view", "ab_role", "ab_permission_view_role",
               "alembic_version"}


def init_security():
    """Create every permission, the five roles, and give each role its permissions (idempotent)."""
    sm = security_manager()
    sm.create_db()
    for name in ROLES:  # the admin role must exist before FAB grants it each new permission
        sm.find_role(name) or sm.add_role(name)
    _add_permissions(current_app.appbuilder)
    all_pvms = db.session.execute(select(sm.permissionview_model)).scalars().all()
    for name in ROLES:
        role = sm.find_role(name)
        if name == ADMIN:
            wanted = all_pvms
        else:
            patterns = [(re.compile(view), re.compile(perm)) for view, perm in ROLE_PERMISSIONS[name]]
            wanted = [pvm for pvm in all_pvms if any(
                view.match(pvm.view_menu.name) and perm.match(pvm.permission.name) for view, perm in patterns)]
        role.permissions = sorted(wanted, key=lambda pvm: pvm.id)
    db.session.commit()
    sm.forget_permissions()


def _add_permissions(appbuilder):
    """FAB's add_permissions, one view name at a time: several views share a permission name (a
    model view, its API, its import page) with different permissions, and FAB, taking them one by
    one, deleted each one's permissions the next did not list ("Refused to delete permission view"
    lines on a fresh database). Here each name gets the union; a permission no view lists goes."""
    sm = appbuilder.sm
    wanted = {}
    for view in appbuilder.baseviews:
        if view.class_permission_name:
            wanted.setdefault(view.class_permission_name, set()).update(view.base_permissions or ())
    for name, permissions in wanted.items():
        sm.add_permissions_view(sorted(permissions), name)
    for category in appbuilder.menu.get_list():
        sm.add_permissions_menu(category.name)
        for item in category.childs:
            if item.name != "-":
                sm.add_permissions_menu(item.name)


def clear_application_data():
    """Empty every table but FAB's permission tables (ledgers refuse DELETE on PostgreSQL: TRUNCATE)."""
    tables = [table for table in db.metadata.sorted_tables if table.name not in KEPT_TABLES]
    if db.session.get_bind().dialect.name == "postgresql":
        names = ", ".join(f'"{table.name}"' for table in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in reversed(tables):
            db.session.execute(delete(table))
    db.session.commit()


def seed_data(reset_passwords=False, flush=False, stock_since=None):
    """The demo stores, accounts, catalog and credit; `stock_since`: when the catalog's stock arrived
    (the demo history's first morning; default now)."""
    from .catalog.demo import seed_demo_catalog
    from .stores.models import Store
    from .stores.services import add_user_to_store

    if flush:
        clear_application_data()
    stores = {}
    for values in DEMO_STORES:
        store = db.session.execute(select(Store).where(Store.code == values["code"])).scalar_one_or_none()
        if store is None:
            store = Store(**values)
            db.session.add(store)
        stores[values["code"]] = store
    db.session.flush()
    sm = security_manager()
    for email, password, role_name, first, last, codes in DEMO_ACCOUNTS:
        role = sm.find_role(role_name)
        if role is None:
            raise click.ClickException("Roles are missing: run `flask init-security` first.")
        user = sm.find_user(email=email)
        if user is None:
            user = sm.user_model(username=email, email=email, first_name=first, last_name=last, active=True,
                                 roles=[role], password=hash_password(password))
            db.session.add(user)
            db.session.flush()
        elif reset_passwords:
            if not check_password_hash(user.password or "", password):
                user.password = hash_password(password)
            user.active = True
            user.roles = [role]
            user.fail_login_count = 0
        for code in codes:
            add_user_to_store(stores[code], user)
    db.session.commit()
    seed_demo_catalog(list(stores.values()), at=stock_since)
    from .credits.demo import seed_demo_credit

    seed_demo_credit(stores["DLA1"])  # two customers with accounts, one with an overdue installment


def register_cli(app):
    @app.cli.command("init-security")
    @with_appcontext
    def init_security_command():
        """Create roles and permissions (idempotent; run after `flask db upgrade`)."""
        init_security()
        click.echo("Roles and permissions are up to date.")

    @app.cli.command("seed-demo-data")
    @click.option("--reset", is_flag=True, help="Delete the application's data, then seed the demo data and its history.")
    @click.option("--days", default=90, show_default=True, type=click.IntRange(1, 3660), help="Days of history.")
    @click.option("--stores", "store_count", default=2, show_default=True, type=click.IntRange(1, 8),
                  help="Stores with a history (the two demo stores, then more).")
    @click.option("--seed", default=17, show_default=True, help="Random seed (the same seed gives the same history).")
    @with_appcontext
    def seed_demo_data_command(reset, days, store_count, seed):
        """A realistic history (sales, shifts, credit, purchases, transfers, alerts) for the dashboard (SPEC §12)."""
        from .reports import demo

        if reset:  # the demo catalog's stock arrives when the history begins
            seed_data(flush=True, stock_since=demo.history_start(days))
        elif demo.has_sales():
            raise click.ClickException("The database already holds sales: run `flask seed-demo-data --reset`.")
        started = time.perf_counter()
        demo.seed_demo_history(days=days, store_count=store_count, seed=seed, echo=click.echo)
        click.echo(f"History written in {time.perf_counter() - started:.1f} s.")

    @app.cli.command("seed-data")
    @click.option("--reset-passwords", is_flag=True, help="Restore the demo accounts' passwords and roles.")
    @click.option("--flush", is_flag=True, help="Delete the application's data before seeding.")
    @with_appcontext
    def seed_data_command(reset_passwords, flush):
        """Create the two demo stores and the five demo accounts (idempotent)."""
        seed_data(reset_passwords=reset_passwords, flush=flush)
        click.echo(f"Demo data ready in {current_app.config['SQLALCHEMY_DATABASE_URI'].split('@')[-1]}.")
