"""Entry point of the Huey consumer (production: REDIS_URL set, docker-compose `huey` service).

    huey_consumer app.worker.huey -w 2 -k thread

create_app imports the tasks modules (app/alerts/tasks.py: the periodic alert checks), so
building the app here registers every task and periodic job on the shared `huey` queue before
the consumer starts, and binds this app for the jobs' app context. Run one consumer: it alone
schedules the periodic jobs (the web workers under gunicorn never do). Without REDIS_URL
(`make run`) the consumer runs in the web process instead (run.py).
"""
from app import create_app
from app.extensions import huey

app = create_app()

__all__ = ["app", "huey"]
