"""Entry point of the Huey consumer (production: REDIS_URL set, docker-compose `huey` service).

    huey_consumer app.worker.huey -w 2 -k thread

create_app imports every domain's tasks module, so building the app here registers
all tasks and periodic jobs on the shared `huey` queue before the consumer starts.
"""
from app import create_app
from app.extensions import huey

app = create_app()

__all__ = ["app", "huey"]
