"""Revoked JWTs, kept in the database when no Redis is configured."""
from sqlalchemy import Column, Integer, String

from ..core.models import UtcDateTime
from ..extensions import db


class RevokedToken(db.Model):
    __tablename__ = "revoked_token"

    id = Column(Integer, primary_key=True)
    jti = Column(String(64), unique=True, nullable=False)
    expires_at = Column(UtcDateTime(), nullable=False, index=True)
