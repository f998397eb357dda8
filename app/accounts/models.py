"""Revoked JWTs (kept in the database when no Redis is configured), issued refresh tokens
(their rotation and families) and each user's session and token stamps."""
from sqlalchemy import Column, Integer, String

from ..core.models import UtcDateTime, ref
from ..extensions import db


class RevokedToken(db.Model):
    __tablename__ = "revoked_token"

    id = Column(Integer, primary_key=True)
    jti = Column(String(64), unique=True, nullable=False)
    expires_at = Column(UtcDateTime(), nullable=False, index=True)


class RefreshToken(db.Model):
    """An issued refresh token. `used_at` is set, in one conditional UPDATE, by the refresh that
    rotates it: of two refreshes at once only one finds it unused. Every token rotated from one
    login shares its `family`; a used token presented again revokes the family (theft)."""

    __tablename__ = "refresh_token"

    id = Column(Integer, primary_key=True)
    jti = Column(String(64), unique=True, nullable=False)
    family = Column(String(64), nullable=False, index=True)
    user_id = ref("ab_user", ondelete="CASCADE", index=True)
    expires_at = Column(UtcDateTime(), nullable=False, index=True)
    used_at = Column(UtcDateTime(), nullable=True)


class UserStamp(db.Model):
    """Random stamps checked on every request: a web session carries the user's `session_stamp`,
    a JWT their `token_stamp`. Logout renews the first; a password change or a deactivation renews
    both, which ends every session and token issued before. No row: both stamps are empty."""

    __tablename__ = "user_stamp"

    user_id = ref("ab_user", ondelete="CASCADE", primary_key=True)
    session_stamp = Column(String(32), nullable=False)
    token_stamp = Column(String(32), nullable=False)
