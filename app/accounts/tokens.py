"""Issuing, rotating and revoking JWTs.

An access token carries the jti of the refresh token it was issued with (`rjti`), so that
logout with the access token alone revokes both, and the `fam`ily of that refresh token: every
pair rotated from one login shares it, and revoking the family revokes them all. A rotated
refresh token keeps the expiry of the first one: a session lasts at most
JWT_REFRESH_TOKEN_EXPIRES (12 h), however often it is refreshed. Both tokens carry the user's
token stamp (`stp`), renewed by a password change or a deactivation.
Revoked jtis and families live in Redis (with a TTL) when REDIS_URL is set, else in the
database; issued refresh tokens are rows of refresh_token (rotation is one conditional UPDATE).
"""
import secrets
from datetime import datetime, timezone
from functools import lru_cache

import redis
from flask import current_app
from flask_jwt_extended import create_access_token, create_refresh_token, decode_token
from sqlalchemy import delete, select, update

from ..extensions import db
from .models import RefreshToken, RevokedToken, UserStamp

REDIS_PREFIX = "boutique:revoked-jti:"
FAMILY_PREFIX = "family:"


@lru_cache(maxsize=4)
def _redis(url):
    return redis.Redis.from_url(url, socket_timeout=2)


def _redis_client():
    url = current_app.config.get("REDIS_URL")
    return _redis(url) if url else None


def new_stamp():
    return secrets.token_hex(16)


def stamps_of(user_id):
    """(session stamp, token stamp) of a user; empty strings until one is renewed."""
    row = db.session.get(UserStamp, user_id)
    return (row.session_stamp, row.token_stamp) if row else ("", "")


def token_stamp(user):
    stamps = getattr(user, "boutique_stamps", None)
    return (stamps if stamps is not None else stamps_of(user.id))[1]


def issue_pair(user, refresh_expires_at=None, family=None):
    """A new access + refresh pair; the refresh expires at `refresh_expires_at` when given and
    belongs to `family` (a new one for a login). The caller commits."""
    now = datetime.now(timezone.utc)
    max_life = current_app.config["JWT_REFRESH_TOKEN_EXPIRES"]
    expires_at = min(refresh_expires_at or now + max_life, now + max_life)
    family = family or secrets.token_hex(16)
    stamp = token_stamp(user)
    claims = {"fam": family, "stp": stamp}
    refresh = create_refresh_token(identity=str(user.id), expires_delta=expires_at - now,
                                   additional_claims=claims)
    refresh_jti = decode_token(refresh)["jti"]
    access = create_access_token(identity=str(user.id), fresh=refresh_expires_at is None,
                                 additional_claims={"rjti": refresh_jti, **claims})
    db.session.execute(delete(RefreshToken).where(RefreshToken.expires_at < now))
    db.session.add(RefreshToken(jti=refresh_jti, family=family, user_id=user.id, expires_at=expires_at))
    return {"access": access, "refresh": refresh}


def rotate(payload, user):
    """The new pair for a refresh token, or None. Marking the token used is one conditional
    UPDATE: of two refreshes at once, the second waits for the first's commit and then finds
    the token used. A used (or unknown) token presented again is taken for a stolen one: its
    whole family is revoked, the pairs already rotated from it included."""
    now = datetime.now(timezone.utc)
    won = db.session.execute(
        update(RefreshToken)
        .where(RefreshToken.jti == payload["jti"], RefreshToken.used_at.is_(None),
               RefreshToken.user_id == user.id)
        .values(used_at=now)
    ).rowcount == 1
    if not won:
        db.session.rollback()
        revoke_family(payload.get("fam"))
        return None
    pair = issue_pair(user, refresh_expires_at=expiry_of(payload), family=payload.get("fam"))
    db.session.commit()
    return pair


def revoke_family(family):
    if family:
        revoke(FAMILY_PREFIX + family,
               datetime.now(timezone.utc) + current_app.config["JWT_REFRESH_TOKEN_EXPIRES"])


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


def is_revoked(jti, family=None):
    """Whether the token `jti` (or its whole family) was revoked: one round trip either way."""
    keys = [jti] + ([FAMILY_PREFIX + family] if family else [])
    client = _redis_client()
    if client is not None:
        return client.exists(*(REDIS_PREFIX + key for key in keys)) > 0
    return db.session.execute(select(RevokedToken.id).where(RevokedToken.jti.in_(keys))).first() is not None


def expiry_of(payload):
    return datetime.fromtimestamp(payload["exp"], tz=timezone.utc)
