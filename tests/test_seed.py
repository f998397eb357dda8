"""flask seed-data: idempotent, --reset-passwords, --flush."""
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from app.core.models import AuditLog
from app.extensions import db, security_manager
from app.stores.models import Store, StoreUser
from tests.conftest import DEMO


def _snapshot():
    sm = security_manager()
    users = db.session.execute(select(sm.user_model.id, sm.user_model.email, sm.user_model.password)
                               .order_by(sm.user_model.id)).all()
    stores = db.session.execute(select(Store.id, Store.code, Store.name).order_by(Store.id)).all()
    links = db.session.execute(select(StoreUser.store_id, StoreUser.user_id).order_by(StoreUser.id)).all()
    roles = {u.email: [r.name for r in u.roles] for u in db.session.execute(select(sm.user_model)).scalars()}
    return users, stores, links, roles


def _run(app, *args):
    result = app.test_cli_runner().invoke(args=["seed-data", *args])
    assert result.exit_code == 0, result.output
    return result


def test_seed_twice_gives_the_same_rows(app):
    with app.app_context():
        first = _snapshot()
    _run(app)
    with app.app_context():
        assert _snapshot() == first
        users, stores, links, roles = first
        assert [code for _, code, _ in stores] == ["DLA1", "YDE1"]
        assert {email: role[0] for email, role in roles.items()} == {
            email: role for role, (email, _) in DEMO.items()}


def test_reset_passwords_restores_the_demo_passwords(app, as_admin, client):
    with app.app_context():
        user = security_manager().find_user(email="caissier@boutique.cm")
        user_id = user.id
    assert as_admin.put(f"/api/v1/users/{user_id}", json={"password": "Changé-de-mot-2026"}).status_code == 200
    assert client.post("/api/v1/auth/token/", json={"email": "caissier@boutique.cm",
                                                    "password": "caissier123!"}).status_code == 401
    _run(app)  # without the flag, passwords are left alone
    assert client.post("/api/v1/auth/token/", json={"email": "caissier@boutique.cm",
                                                    "password": "caissier123!"}).status_code == 401
    _run(app, "--reset-passwords")
    with app.app_context():
        for email, password in DEMO.values():
            assert check_password_hash(security_manager().find_user(email=email).password, password)
    assert client.post("/api/v1/auth/token/", json={"email": "caissier@boutique.cm",
                                                    "password": "caissier123!"}).status_code == 200


def test_flush_removes_other_data_and_reseeds(app, as_admin):
    assert as_admin.post("/api/v1/stores/", json={"code": "GAR1", "name": "Garoua"}).status_code == 201
    _run(app, "--flush")
    with app.app_context():
        assert db.session.execute(select(func.count()).select_from(Store)).scalar() == 2
        assert db.session.execute(select(func.count()).select_from(AuditLog)).scalar() == 0
        assert len(_snapshot()[0]) == 5
