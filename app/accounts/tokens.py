"""Issuing, rotating and revoking JWTs.

An access token carries the jti of the refresh token it was issued with
(`rjti`), so that logout with the access token alone revokes both. A rotated
refresh token keeps the expiry of the first one: a session lasts at most
JWT_REFRESH_TOKEN_EXPIRES (12 h), however often it is refreshed.
Revoked jtis live in Redis (with a TTL) when REDIS_URL is set, else in the
database.
"""
from datetime import datetime, timezone
from functools import lru_cache

import redis
from flask import current_app
from flask_jwt_extended import create_access_token, create_refresh_token, decode_token
from sqlalchemy import delete, select

from ..extensions import db
from .models import RevokedToken

REDIS_PREFIX = "boutique:revoked-jti:"


@lru_cache(maxsize=4)
def _redis(url):
    return redis.Redis.from_url(url, socket_timeout=2)


def _redis_client():
    url = current_app.config.get("REDIS_URL")
    return _redis(url) if url else None


def issue_pair(user, refresh_expires_at=None):
    """A new access + refresh pair; the refresh expires at `refresh_expires_at` when given."""
    now = datetime.now(timezone.utc)
    max_life = current_app.config["JWT_REFRESH_TOKEN_EXPIRES"]
    expires_at = min(refresh_expires_at or now + max_life, now + max_life)
    refresh = create_refresh_token(identity=str(user.id), expires_delta=expires_at - now)
    refresh_jti = decode_token(refresh)["jti"]
    access = create_access_token(identity=str(user.id), fresh=refresh_expires_at is None,
                                 additional_claims={"rjti": refresh_jti})
    return {"access": access, "refresh": refresh}


def revoke(jti, expires_at):
    client = _redis_client()
    ttl = int((expires_at - datetime.now(timezone.utc)).total_seconds()) + 1
    if ttl <= 0:
        return
    if client is not None:
        client.set(REDIS_PREFIX + jti, "1", ex=ttl)
        return
    if db.session.execute(select(RevokedToken.id).where(RevokedToken.jti == jti)).first() is None:
        db.session.add(RevokedToken(jti=jti, expires_at=expires_at))
    # Expired entries serve no purpose: drop them while we are here.
    db.session.execute(delete(RevokedToken).where(RevokedToken.expires_at < datetime.now(timezone.utc)))
    db.session.commit()


def is_revoked(jti):
    client = _redis_client()
    if client is not None:
        return client.exists(REDIS_PREFIX + jti) > 0
    return db.session.execute(select(RevokedToken.id).where(RevokedToken.jti == jti)).first() is not None


def expiry_of(payload):
    return datetime.fromtimestamp(payload["exp"], tz=timezone.utc)
