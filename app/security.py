"""Security manager: email login (+ optional Google), JWT with revocation, role helpers."""
import logging
import threading
import time
from functools import cached_property

from authlib.integrations.flask_client import OAuth
from flask import current_app, flash, g, redirect, request, session, url_for
from flask_appbuilder import expose
from flask_appbuilder.api import BaseApi
from flask_appbuilder.security.forms import LoginForm_db
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.sqla.models import assoc_permissionview_role
from flask_appbuilder.security.views import AuthDBView
from flask_appbuilder.security.views import UserDBModelView as FabUserDBModelView
from flask_appbuilder.utils.base import get_safe_redirect
from flask_babel import lazy_gettext as _l
from flask_login import login_user
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload
from werkzeug.security import generate_password_hash
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, ValidationError

from .core.errors import json_error
from .core.formatting import format_local_datetime, yes_no

log = logging.getLogger(__name__)


def hash_password(password):
    return generate_password_hash(password, method=current_app.config["FAB_PASSWORD_HASH_METHOD"])


class EmailLoginForm(LoginForm_db):
    username = StringField(_l("Adresse e-mail"), validators=[DataRequired()])
    password = PasswordField(_l("Mot de passe"), validators=[DataRequired()])


class BoutiqueAuthDBView(AuthDBView):
    """The login page: email + password, and "Continuer avec Google" when configured."""

    login_template = "security/login.html"
    invalid_login_message = _l("E-mail ou mot de passe incorrect.")
    title = _l("Connexion")

    @expose("/login/", methods=["GET", "POST"])
    def login(self):
        if g.user is not None and g.user.is_authenticated:
            return redirect(self._get_safe_next_url())
        form = EmailLoginForm()
        if form.validate_on_submit():
            next_url = request.args.get("next")
            next_url = get_safe_redirect(next_url) if next_url else self.appbuilder.get_url_for_index
            user = self.appbuilder.sm.auth_user_db(form.username.data.strip(), form.password.data)
            if not user:
                flash(str(self.invalid_login_message), "warning")
                return redirect(self.appbuilder.get_url_for_login_with(next_url))
            login_user(user, remember=False)
            return redirect(next_url)
        return self.render_template(
            self.login_template,
            title=self.title,
            form=form,
            appbuilder=self.appbuilder,
            google_enabled=self.appbuilder.sm.google is not None,
        )

    @expose("/logout/", methods=["POST"])
    def logout(self):
        return super().logout()

    @expose("/login/google")
    def login_google(self):
        google = self.appbuilder.sm.google
        if google is None:
            flash(str(_l("La connexion Google n'est pas configurée.")), "warning")
            return redirect(url_for(".login"))
        session["google_next"] = get_safe_redirect(request.args.get("next", ""))
        return google.authorize_redirect(url_for(".google_authorized", _external=True))

    @expose("/oauth-authorized/google")
    def google_authorized(self):
        google = self.appbuilder.sm.google
        if google is None:
            return redirect(url_for(".login"))
        try:
            token = google.authorize_access_token()
        except Exception:  # noqa: BLE001 - any OAuth failure means: not signed in
            log.warning("Google sign-in failed", exc_info=True)
            flash(str(_l("La connexion Google a échoué.")), "warning")
            return redirect(url_for(".login"))
        user = self.appbuilder.sm.user_from_google(token.get("userinfo") or {})
        if user is None:
            flash(str(_l("Ce compte Google n'est pas vérifié ou est désactivé.")), "warning")
            return redirect(url_for(".login"))
        login_user(user, remember=False)
        return redirect(session.pop("google_next", None) or self.appbuilder.get_url_for_index)


class NoSecurityApi(BaseApi):
    """FAB's /api/v1/security/login would bypass our token endpoint and its rate limits."""

    resource_name = "security"


def email_is_the_username(user):
    """People log in with their email: it is stored lower-case, trimmed, and as the username too."""
    user.email = (user.email or "").strip().lower()
    user.username = user.email


ONE_ROLE = _l("Un utilisateur a un seul rôle : choisissez-en un.")


def _role_required(form, field):
    """A user has one role (SPEC §2): rules read the user's role, not a list of them."""
    if not field.data:
        raise ValidationError(_l("Choisissez un rôle."))
    if len(field.data) > 1:
        raise ValidationError(ONE_ROLE)


class UserDBModelView(FabUserDBModelView):
    """The users screen (FAB's, same name: same endpoints and permissions). People log in with
    their email, so the username is the email, set here instead of typed twice (a different
    username could not log in); roles in words; no groups (the app does not use them)."""

    list_columns = ["first_name", "last_name", "email", "active", "roles", "last_login"]
    add_columns = ["first_name", "last_name", "email", "active", "roles", "password", "conf_password"]
    edit_columns = ["first_name", "last_name", "email", "active", "roles"]
    search_columns = ["first_name", "last_name", "email", "active", "roles", "last_login"]
    show_fieldsets = [
        (_l("Utilisateur"), {"fields": ["email", "active", "roles", "login_count", "last_login"]}),
        (_l("Identité"), {"fields": ["first_name", "last_name"], "expanded": True}),
    ]
    validators_columns = {"roles": [_role_required]}
    label_columns = {**FabUserDBModelView.label_columns, "email": _l("Adresse e-mail"), "roles": _l("Rôle"),
                     "active": _l("Actif"), "last_login": _l("Dernière connexion")}
    description_columns = {**FabUserDBModelView.description_columns,
                           "email": _l("L'adresse avec laquelle la personne se connecte.")}
    formatters_columns = {
        "active": yes_no,
        "roles": lambda roles: ", ".join(str(role_label(role.name)) for role in roles or []),
        "last_login": format_local_datetime,
    }

    def pre_add(self, item):
        email_is_the_username(item)
        super().pre_add(item)

    def pre_update(self, item):
        email_is_the_username(item)
        super().pre_update(item)


def role_label(name):
    from .core.views import ROLE_LABELS

    return ROLE_LABELS.get(name, name)


class BoutiqueSecurityManager(SecurityManager):
    authdbview = BoutiqueAuthDBView
    userdbmodelview = UserDBModelView
    security_api = NoSecurityApi

    def __init__(self, appbuilder):
        from .core.api import ScopedInterface

        super().__init__(appbuilder)
        # FAB's screens flash a failed write's exception text: SQL, for a duplicate email. Ours say it in French.
        self.userdbmodelview.datamodel = ScopedInterface(self.user_model)
        self.rolemodelview.datamodel = ScopedInterface(self.role_model)
        self.groupmodelview.datamodel = ScopedInterface(self.group_model)
        self.google = self._register_google(current_app)
        self._grants = {}  # role id -> (loaded at, {(permission, view), ...}); also the public role id
        self._grants_lock = threading.Lock()

    # --- permissions: FAB asks the database on every check; a role's grants are read once
    # and kept for PERMISSION_CACHE_SECONDS (`flask init-security` changes take that long).
    def exist_permission_on_roles(self, view_name, permission_name, role_ids):
        return any((permission_name, view_name) in self._role_grants(role_id) for role_id in role_ids)

    def is_item_public(self, permission_name, view_name):
        role_id = self._public_role_id()
        return role_id is not None and (permission_name, view_name) in self._role_grants(role_id)

    def _public_role_id(self):
        now = time.monotonic()
        cached = self._grants.get("public-role-id")
        if cached and now - cached[0] < current_app.config["PERMISSION_CACHE_SECONDS"]:
            return cached[1]
        role_id = self.session.execute(
            select(self.role_model.id).where(self.role_model.name == self.auth_role_public)
        ).scalar_one_or_none()
        with self._grants_lock:
            self._grants["public-role-id"] = (now, role_id)
        return role_id

    def _role_grants(self, role_id):
        now = time.monotonic()
        cached = self._grants.get(role_id)
        if cached and now - cached[0] < current_app.config["PERMISSION_CACHE_SECONDS"]:
            return cached[1]
        pv, role_link = self.permissionview_model, assoc_permissionview_role
        rows = self.session.execute(
            select(self.permission_model.name, self.viewmenu_model.name)
            .select_from(pv)
            .join(role_link, role_link.c.permission_view_id == pv.id)
            .join(self.permission_model, self.permission_model.id == pv.permission_id)
            .join(self.viewmenu_model, self.viewmenu_model.id == pv.view_menu_id)
            .where(role_link.c.role_id == role_id)
        ).all()
        grants = frozenset((permission, view) for permission, view in rows)
        with self._grants_lock:
            self._grants[role_id] = (now, grants)
        return grants

    def forget_permissions(self):
        with self._grants_lock:
            self._grants.clear()

    def get_user_by_id(self, pk):
        """The user with roles, groups and store ids in one round trip: FAB lazy-loads roles and
        groups and the store scope asks for the stores, four queries on every request otherwise."""
        from .core.scoping import remember_store_ids

        rows = self.session.execute(self._user_statement, {"user_id": pk}).unique().all()
        if not rows:
            return None
        user = rows[0][0]
        remember_store_ids(user, sorted(store_id for _, store_id in rows if store_id is not None))
        return user

    @cached_property
    def _user_statement(self):
        """get_user_by_id's SELECT, built once: building and keying it cost about as much CPU as
        running it, on every request."""
        from .stores.models import StoreUser

        user_model = self.user_model
        return (select(user_model, StoreUser.store_id)
                .outerjoin(StoreUser, StoreUser.user_id == user_model.id)
                .where(user_model.id == bindparam("user_id"))
                .options(joinedload(user_model.roles), joinedload(user_model.groups)))

    # --- rate limiting: one limiter for the whole app (the token endpoint uses it too)
    def create_limiter(self, app):
        from .extensions import limiter

        limiter.init_app(app)
        return limiter

    # --- JWT
    def create_jwt_manager(self, app):
        from .accounts import tokens

        jwt_manager = super().create_jwt_manager(app)
        jwt_manager.token_in_blocklist_loader(lambda _header, payload: tokens.is_revoked(payload["jti"]))
        unauthorized = lambda *args: json_error(401)  # noqa: E731 - one answer for every bad token
        jwt_manager.expired_token_loader(unauthorized)
        jwt_manager.invalid_token_loader(unauthorized)
        jwt_manager.unauthorized_loader(unauthorized)
        jwt_manager.revoked_token_loader(unauthorized)
        jwt_manager.user_lookup_error_loader(unauthorized)
        jwt_manager.needs_fresh_token_loader(
            lambda *args: json_error(401, _l("Cette action demande une connexion récente : reconnectez-vous."))
        )
        return jwt_manager

    # --- Google sign-in
    def _register_google(self, app):
        client_id = app.config.get("GOOGLE_CLIENT_ID")
        client_secret = app.config.get("GOOGLE_CLIENT_SECRET")
        if not (client_id and client_secret):
            return None
        oauth = OAuth(app)
        return oauth.register(
            "google",
            client_id=client_id,
            client_secret=client_secret,
            server_metadata_url="https://accounts.google.com/.well-known/openid-configuration",
            client_kwargs={"scope": "openid email profile"},
        )

    def user_from_google(self, userinfo):
        """Link to an existing user only by a verified email; a new user gets no role or store."""
        email = (userinfo.get("email") or "").strip().lower()
        if not email or userinfo.get("email_verified") is not True:
            return None
        user = self.find_user(email=email) or self.find_user(username=email)
        if user is None:
            user = self.user_model(
                username=email,
                email=email,
                first_name=userinfo.get("given_name") or email.split("@")[0],
                last_name=userinfo.get("family_name") or "",
                active=True,
                roles=[],
            )
            self.session.add(user)
            self.session.commit()
        return user if user.is_active else None
