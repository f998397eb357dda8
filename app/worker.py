"""Entry point of the Huey consumer (production: REDIS_URL set, docker-compose `huey` service).

    huey_consumer app.worker.huey -w 2 -k thread

Building the app here registers the tasks its modules define on the shared `huey` queue
before the consumer starts. None is defined yet: SPEC §9's periodic checks are to come.
"""
from app import create_app
from app.extensions import huey

app = create_app()

__all__ = ["app", "huey"]
