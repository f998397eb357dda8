"""The production setup: the real `huey_consumer app.worker.huey` against Redis runs a periodic job.

The consumer runs in a child process, as docker-compose's `huey` service does, with one change:
Huey's clock reads 22:00 UTC (when check_low_stock is due), so that its scheduler's first look
at the periodic tasks fires that job now instead of at the next even hour.
"""
import os
import subprocess
import sys
import time

import pytest
import redis
from sqlalchemy import select

from app.alerts.models import LOW_STOCK, NEW, Alert
from app.extensions import db
from tests.conftest import POSTGRES_SERVER
from tests.factories import make_product, put_in_stock, store_by_code

REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/13")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONSUMER = """
import datetime, sys
from huey.bin.huey_consumer import consumer_main
import app.worker
app.worker.huey._get_timestamp = lambda: datetime.datetime(2026, 12, 4, 22, 0)
sys.argv = ["huey_consumer", "app.worker.huey", "-w", "1", "-k", "thread"]
consumer_main()
"""


@pytest.fixture
def redis_queue():
    try:
        redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        if os.environ.get("CI"):
            pytest.fail("Redis is required in CI")
        pytest.skip("needs Redis")
    return REDIS_TEST_URL


def test_the_huey_consumer_runs_the_periodic_jobs_against_redis(postgres, redis_queue, database_url):
    app = postgres
    with app.app_context():
        product = make_product("ALR-RDS", reorder_level=4)
        put_in_stock(store_by_code("DLA1"), product, 1)
        key = f"product:{product.id}"
        db.session.remove()
    env = {**os.environ, "REDIS_URL": redis_queue, "DATABASE_URL": database_url, "APP_ENV": "development",
           "FLASK_DEBUG": "0", "PYTHONPATH": ROOT,
           "SECRET_KEY": "consumer-test-secret-key-" + "x" * 24, "JWT_SECRET_KEY": "consumer-test-jwt-key-" + "y" * 24}
    env.pop("TEST_DATABASE_URL", None)
    consumer = subprocess.Popen([sys.executable, "-c", CONSUMER], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    found = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not found and consumer.poll() is None:
            time.sleep(0.5)
            with app.app_context():
                found = db.session.execute(select(Alert).where(
                    Alert.cause_key == key, Alert.type == LOW_STOCK, Alert.status == NEW)).scalars().all()
                db.session.remove()
    finally:
        consumer.terminate()
        output = consumer.communicate(timeout=30)[0]
        redis.Redis.from_url(redis_queue).delete(*(redis.Redis.from_url(redis_queue).keys("huey.*boutique*") or ["-"]))
    assert len(found) == 1, output[-3000:]
    assert "Enqueueing periodic task" in output and "check_low_stock" in output
