"""GET /health (no auth): is the app able to reach its database and Redis?"""
import redis
from flask import current_app, jsonify
from sqlalchemy import text

from ..extensions import csrf, db


def register(app):
    @app.get("/health")
    @csrf.exempt
    def health():
        body = {"status": "ok", "database": "ok", "redis": "absent"}
        try:
            db.session.execute(text("SELECT 1"))
        except Exception:  # noqa: BLE001 - any failure means: not healthy
            db.session.rollback()
            body.update(status="error", database="error")
        redis_url = current_app.config.get("REDIS_URL")
        if redis_url:
            try:
                redis.Redis.from_url(redis_url, socket_timeout=2).ping()
                body["redis"] = "ok"
            except redis.RedisError:
                body.update(status="error", redis="error")
        return jsonify(body), 200 if body["status"] == "ok" else 503
