"""Security manager: email login (+ optional Google), JWT with revocation, role helpers."""
import logging
import threading
import time
from functools import cached_property

from authlib.integrations.flask_client import OAuth
from flask import current_app, flash, g, redirect, request, session, url_for
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.api import BaseApi
from flask_appbuilder.fieldwidgets import BS3PasswordFieldWidget
from flask_appbuilder.security.forms import LoginForm_db, ResetPasswordForm
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.sqla.models import assoc_permissionview_role
from flask_appbuilder.security.views import AuthDBView
from flask_appbuilder.security.views import ResetMyPasswordView as FabResetMyPasswordView
from flask_appbuilder.security.views import ResetPasswordView as FabResetPasswordView
from flask_appbuilder.security.views import UserDBModelView as FabUserDBModelView
from flask_appbuilder.utils.base import get_safe_redirect
from flask_babel import lazy_gettext as _l
from flask_login import login_user
from sqlalchemy import bindparam, event, select
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session as OrmSession, joinedload
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import PasswordField, SelectField, SelectMultipleField, StringField, widgets
from wtforms.validators import DataRequired, EqualTo, ValidationError

from .accounts.permission_words import RoleModelView
from .core.errors import json_error
from .core.formatting import format_local_datetime, yes_no
from .core.views import landing_url

log = logging.getLogger(__name__)
SESSION_STAMP_KEY = "_stamp"


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
            from .core import lockout

            next_url = request.args.get("next")
            next_url = get_safe_redirect(next_url) if next_url else None
            email = form.username.data.strip()
            wait = lockout.retry_after(email)
            if wait:
                # One counter per account with the API: another address does not reset it.
                flash(str(_l("Trop de tentatives pour ce compte. Réessayez dans %(minutes)s min.",
                             minutes=(wait + 59) // 60)), "warning")
                page = self.render_template(self.login_template, title=self.title, form=form,
                                            appbuilder=self.appbuilder,
                                            google_enabled=self.appbuilder.sm.google is not None)
                return page, 429, {"Retry-After": str(wait)}
            user = self.appbuilder.sm.auth_user_db(email, form.password.data)
            if not user:
                lockout.record_failure(email)
                flash(str(self.invalid_login_message), "warning")
                return redirect(self.appbuilder.get_url_for_login_with(next_url or self.appbuilder.get_url_for_index))
            start_session(user)
            return redirect(next_url or landing_url(user))  # no page asked for: where the role's work is
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
        start_session(user)
        return redirect(session.pop("google_next", None) or landing_url(user))


def start_session(user):
    """Log the user in; the session carries their session stamp, checked on every request."""
    login_user(user, remember=False)
    session[SESSION_STAMP_KEY] = user_stamps(user)[0]


def user_stamps(user):
    """(session stamp, token stamp), as loaded with the user by get_user_by_id."""
    from .accounts.tokens import stamps_of

    stamps = getattr(user, "boutique_stamps", None)
    return stamps if stamps is not None else stamps_of(user.id)


def renew_stamps(session_, user_id, sessions=True, tokens=True):
    """New stamps for the user (in the session's transaction): every web session (`sessions`)
    and every JWT (`tokens`) issued before is refused from now on."""
    from .accounts.models import UserStamp
    from .accounts.tokens import new_stamp

    with session_.no_autoflush:
        row = session_.get(UserStamp, user_id)
    if row is None:
        row = UserStamp(user_id=user_id, session_stamp=new_stamp(), token_stamp=new_stamp())
        session_.add(row)
    if sessions:
        row.session_stamp = new_stamp()
    if tokens:
        row.token_stamp = new_stamp()
    return row


@event.listens_for(OrmSession, "before_flush")
def _credentials_changed(session_, _flush_context, _instances):
    """A password change (own, by an admin, through any screen, API or command) or a
    deactivation ends every session and token of the user."""
    from flask_appbuilder.security.sqla.models import User

    for obj in list(session_.dirty):
        if not isinstance(obj, User) or obj.id is None:
            continue
        state = sa_inspect(obj)
        password = state.attrs.password.history
        active = state.attrs.active.history
        if password.has_changes() or (active.has_changes() and not obj.active):
            renew_stamps(session_, obj.id)


def strong_password(form, field):
    """The password policy (app/core/passwords.py), with the person's email and names as known words."""
    from .core.passwords import password_problem

    inputs = [getattr(form, name).data for name in ("email", "first_name", "last_name") if name in form]
    problem = password_problem(field.data, inputs)
    if problem:
        raise ValidationError(problem)


class PolicyPasswordForm(ResetPasswordForm):
    """An admin sets a user's password: the same policy."""

    def validate_password(self, field):
        strong_password(self, field)


class ResetPasswordView(FabResetPasswordView):
    form = PolicyPasswordForm


class CurrentPasswordForm(PolicyPasswordForm):
    current_password = PasswordField(_l("Mot de passe actuel"), validators=[DataRequired()],
                                     widget=BS3PasswordFieldWidget())

    def validate_current_password(self, field):
        if not check_password_hash(g.user.password or "", field.data or ""):
            raise ValidationError(_l("Mot de passe actuel incorrect."))


class ResetMyPasswordView(FabResetMyPasswordView):
    """Changing one's own password asks for the current one (a borrowed open session must not
    lock its owner out); the other sessions of the user end, this one goes on."""

    form = CurrentPasswordForm

    def form_post(self, form):
        super().form_post(form)
        from .accounts.tokens import stamps_of

        session[SESSION_STAMP_KEY] = stamps_of(g.user.id)[0]


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


class OneRoleField(SelectField):
    """The user's one role, chosen in words ("Caissier"); the model keeps FAB's list of roles.
    Two values posted (an old form, a crafted request) are refused, not cut to one."""

    def __init__(self, label=None, **kwargs):
        super().__init__(label, choices=self._choices, validate_choice=False,
                         render_kw={"class": "form-control"}, **kwargs)

    @staticmethod
    def _choices():
        from .core.views import ROLE_LABELS
        from .extensions import security_manager

        roles = {role.name: role.id for role in security_manager().get_all_roles()}
        return [("", _l("— Choisir —"))] + [(str(roles[name]), label) for name, label in ROLE_LABELS.items()
                                              if name in roles]

    def process_formdata(self, valuelist):
        if len(valuelist) > 1:
            self.data = None
            raise ValueError(ONE_ROLE)
        super().process_formdata(valuelist)

    def process_data(self, value):
        if isinstance(value, (list, tuple)):  # the user's roles, on the edit form
            value = str(value[0].id) if value else ""
        super().process_data(value)

    def populate_obj(self, obj, name):
        from .extensions import db, security_manager

        role = db.session.get(security_manager().role_model, int(self.data)) if self.data else None
        setattr(obj, name, [role] if role is not None else [])


class StoresField(SelectMultipleField):
    """The stores of the user, as boxes to tick; written beside the user (post_add/post_update)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def __init__(self, label=None, **kwargs):
        super().__init__(label, choices=self._choices, coerce=int,
                         render_kw={"style": "list-style:none;padding-left:0;margin:0"}, **kwargs)

    @staticmethod
    def _choices():
        from .extensions import db
        from .stores.models import Store

        stores = db.session.execute(select(Store).where(Store.is_active.is_(True)).order_by(Store.code)).scalars()
        return [(store.id, str(store)) for store in stores]

    def process_data(self, value):
        super().process_data(value if isinstance(value, list) else [])

    def populate_obj(self, obj, name):
        obj._wanted_store_ids = list(self.data or [])


class UserDBModelView(FabUserDBModelView):
    """The users screen (FAB's, same name: same endpoints and permissions). People log in with
    their email, so the username is the email, set here instead of typed twice (a different
    username could not log in); roles in words; no groups (the app does not use them)."""

    list_columns = ["first_name", "last_name", "email", "active", "roles", "last_login"]
    add_columns = ["email", "first_name", "last_name", "roles", "stores", "active", "password", "conf_password"]
    edit_columns = ["email", "first_name", "last_name", "roles", "stores", "active"]
    show_template = "security/user_show.html"
    add_form_extra_fields = {
        "roles": OneRoleField(_l("Rôle"), validators=[_role_required],
                              description=FabUserDBModelView.description_columns.get("roles")),
        "stores": StoresField(_l("Magasins")),
        "password": PasswordField(_l("Mot de passe"), validators=[DataRequired(), strong_password],
                                  widget=BS3PasswordFieldWidget(),
                                  description=_l("10 caractères au moins, difficile à deviner.")),
        "conf_password": PasswordField(_l("Confirmer le mot de passe"), widget=BS3PasswordFieldWidget(),
                                       validators=[DataRequired(), EqualTo("password", message=_l(
                                           "Les deux mots de passe diffèrent."))]),
    }
    edit_form_extra_fields = {
        "roles": OneRoleField(_l("Rôle"), validators=[_role_required],
                              description=FabUserDBModelView.description_columns.get("roles")),
        "stores": StoresField(_l("Magasins")),
    }
    search_columns = ["first_name", "last_name", "email", "active", "roles", "last_login"]
    show_fieldsets = [
        (_l("Utilisateur"), {"fields": ["email", "active", "roles", "login_count", "last_login"]}),
        (_l("Identité"), {"fields": ["first_name", "last_name"], "expanded": True}),
    ]
    user_show_fieldsets = show_fieldsets  # the "Profil" page: FAB's own names the username, not shown here
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

    def post_add(self, item):
        self._save_stores(item)

    def post_update(self, item):
        self._save_stores(item)

    def _save_stores(self, item):
        from .stores.services import set_user_stores

        if getattr(item, "_wanted_store_ids", None) is not None:
            set_user_stores(item, item._wanted_store_ids)

    def prefill_form(self, form, pk):
        from .stores.services import store_ids_of

        form.stores.data = store_ids_of(int(pk))

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        from .stores.services import stores_of

        g.shown_user_stores = stores_of(int(pk)) if str(pk).isdigit() else []
        return super().show(pk)

    @expose("/userinfo/")
    @has_access
    def userinfo(self):  # the "Profil" page: the user's stores, as on their page in the users screen
        from .stores.services import stores_of

        g.shown_user_stores = stores_of(g.user.id)
        return super().userinfo()


def role_label(name):
    from .core.views import ROLE_LABELS

    return ROLE_LABELS.get(name, name)


class BoutiqueSecurityManager(SecurityManager):
    authdbview = BoutiqueAuthDBView
    userdbmodelview = UserDBModelView
    rolemodelview = RoleModelView  # permissions in words, by area
    resetmypasswordview = ResetMyPasswordView
    resetpasswordview = ResetPasswordView
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
        remember_store_ids(user, sorted(row[1] for row in rows if row[1] is not None))
        user.boutique_stamps = (rows[0][2] or "", rows[0][3] or "")
        return user

    def load_user(self, pk):
        """The user of a web session, if the session's stamp is still theirs (logout and a
        password change renew it: a copied cookie dies with them)."""
        user = self.get_user_by_id(int(pk))
        if user is None or not user.is_active:
            return None
        if session.get(SESSION_STAMP_KEY, "") != user.boutique_stamps[0]:
            return None
        return user

    def load_user_jwt(self, _jwt_header, jwt_data):
        user = self.get_user_by_id(int(jwt_data["sub"]))
        if user is None or not user.is_active or jwt_data.get("stp", "") != user.boutique_stamps[1]:
            return None
        g.user = user
        return user

    def on_user_logout(self, user):
        """Logout ends the session server-side: the user's session stamp changes."""
        renew_stamps(self.session, user.id, tokens=False)
        self.session.commit()
        session.pop(SESSION_STAMP_KEY, None)

    @cached_property
    def _user_statement(self):
        """get_user_by_id's SELECT, built once: building and keying it cost about as much CPU as
        running it, on every request."""
        from .accounts.models import UserStamp
        from .stores.models import StoreUser

        user_model = self.user_model
        return (select(user_model, StoreUser.store_id, UserStamp.session_stamp, UserStamp.token_stamp)
                .outerjoin(StoreUser, StoreUser.user_id == user_model.id)
                .outerjoin(UserStamp, UserStamp.user_id == user_model.id)
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
        jwt_manager.token_in_blocklist_loader(lambda _header, payload: tokens.is_revoked(payload["jti"], payload.get("fam")))
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
        """Link to an existing user only by a verified email; a new user (only of an allowed
        domain when GOOGLE_ALLOWED_DOMAINS is set) gets no role or store."""
        email = (userinfo.get("email") or "").strip().lower()
        if not email or userinfo.get("email_verified") is not True:
            return None
        user = self.find_user(email=email) or self.find_user(username=email)
        allowed = current_app.config.get("GOOGLE_ALLOWED_DOMAINS") or []
        if user is None and allowed and email.rpartition("@")[2] not in allowed:
            log.info("Google sign-in refused: %s is outside GOOGLE_ALLOWED_DOMAINS", email)
            return None
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
