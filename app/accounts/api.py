"""POST /api/v1/auth/token/, /token/refresh/ and /logout/ (SPEC §10)."""
from flask import current_app, request
from flask_appbuilder.api import BaseApi, expose
from flask_babel import lazy_gettext as _l
from flask_jwt_extended import get_jwt, jwt_required
from flask_limiter.util import get_remote_address

from ..core.api import openapi
from ..core.errors import json_error
from ..core.web import json_field, password_failures_limited
from ..extensions import db, limiter, security_manager
from . import tokens


def _requests_per_address():
    count, seconds = current_app.config["TOKEN_REQUESTS_PER_ADDRESS"]
    return f"{count} per {seconds} seconds"


class AuthApi(BaseApi):
    resource_name = "auth"
    openapi_spec_tag = "Authentification"
    csrf_exempt = True

    @expose("/token/", methods=["POST"])
    # The email's one failed-password budget (core.web); the address limit is much wider.
    @password_failures_limited(lambda: json_field("email"), failed_status=401)
    @limiter.limit(_requests_per_address, key_func=get_remote_address)
    @openapi({200: "access and refresh tokens", 401: "wrong email or password", 429: "too many attempts"},
             body={"email": "string", "password": "string"})
    def token(self):
        """Exchange email + password for an access and a refresh token."""
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return json_error(400, _l("Corps JSON attendu : {\"email\", \"password\"}."))
        email, password = body.get("email"), body.get("password")
        errors = {}
        if not isinstance(email, str) or not email.strip():
            errors["email"] = [str(_l("Champ obligatoire."))]
        if not isinstance(password, str) or not password:
            errors["password"] = [str(_l("Champ obligatoire."))]
        if errors:
            return json_error(400, None, errors)
        user = security_manager().auth_user_db(email.strip(), password)
        if user is None:
            return json_error(401, _l("E-mail ou mot de passe incorrect."))
        pair = tokens.issue_pair(user)
        db.session.commit()
        return self.response(200, **pair)

    @expose("/token/refresh/", methods=["POST"])
    @limiter.limit(_requests_per_address, key_func=get_remote_address)
    @openapi({200: "new access and refresh tokens", 401: "invalid, expired or revoked refresh token"},
             body={"refresh": "string"})
    def refresh(self):
        """Exchange a refresh token for a new pair; the old refresh token is revoked."""
        from flask_jwt_extended import decode_token
        from flask_jwt_extended.exceptions import JWTExtendedException
        from jwt import PyJWTError

        body = request.get_json(silent=True)
        raw = body.get("refresh") if isinstance(body, dict) else None
        if not isinstance(raw, str) or not raw:
            return json_error(400, None, {"refresh": [str(_l("Champ obligatoire."))]})
        try:
            payload = decode_token(raw)
        except (JWTExtendedException, PyJWTError):
            return json_error(401)
        if payload.get("type") != "refresh" or tokens.is_revoked(payload["jti"], payload.get("fam")):
            return json_error(401)
        user = security_manager().get_user_by_id(int(payload["sub"]))
        if user is None or not user.is_active or payload.get("stp", "") != tokens.token_stamp(user):
            return json_error(401)
        pair = tokens.rotate(payload, user)
        if pair is None:
            return json_error(401)
        return self.response(200, **pair)

    @expose("/logout/", methods=["POST"])
    @jwt_required()
    @openapi({200: "both tokens revoked", 401: "invalid token"})
    def logout(self):
        """Revoke the access token and the refresh tokens of its login (the whole rotated chain)."""
        payload = get_jwt()
        tokens.revoke(payload["jti"], tokens.expiry_of(payload))
        if payload.get("rjti"):
            max_life = current_app.config["JWT_REFRESH_TOKEN_EXPIRES"]
            from datetime import datetime, timezone

            tokens.revoke(payload["rjti"], datetime.now(timezone.utc) + max_life)
        tokens.revoke_family(payload.get("fam"))
        return self.response(200, message=str(_l("Déconnecté.")))


def register(appbuilder):
    appbuilder.add_api(AuthApi)
