"""`flask init-security` on a fresh database (what `make run` does first) gives every view its
permissions without FAB's alarming "Refused to delete permission view" lines, and again the same."""
import logging
import os
import tempfile

import config


class Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def test_init_security_on_a_fresh_database_logs_no_refused_deletion():
    from flask_migrate import upgrade
    from sqlalchemy import select

    from app import create_app
    from app.cli import init_security
    from app.extensions import db

    folder = tempfile.mkdtemp(prefix="boutique-fresh-")

    class Fresh(config.TestConfig):
        SQLALCHEMY_DATABASE_URI = "sqlite:///" + os.path.join(folder, "fresh.db")

    application = create_app(Fresh)
    with application.app_context():
        upgrade()
        fab = logging.getLogger("flask_appbuilder")
        collect = Collect()
        for name in ("flask_appbuilder", "flask_appbuilder.security.sqla.manager"):
            logging.getLogger(name).disabled = False  # alembic's logging setup disables loggers it finds
        fab.addHandler(collect)
        try:
            init_security()
            init_security()  # idempotent, quiet the second time too
        finally:
            fab.removeHandler(collect)
        assert not [m for m in collect.messages if "Refused to delete" in m]
        sm = application.appbuilder.sm
        granted = {(pv.view_menu.name, pv.permission.name)
                   for pv in db.session.execute(select(sm.permissionview_model)).scalars()}
        for view in application.appbuilder.baseviews:  # every view's permissions exist
            if view.class_permission_name:
                for permission in view.base_permissions:
                    assert (view.class_permission_name, permission) in granted
        db.session.remove()
        db.engine.dispose()
