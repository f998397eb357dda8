"""Serve the app (embedded default: SQLite under instance/, Huey jobs in a thread of this process)."""
import os
import signal

# The development server: the debugger and the public development keys, unless told otherwise.
os.environ.setdefault("APP_ENV", "development")

from app import create_app  # noqa: E402
from app.extensions import start_in_process_consumer  # noqa: E402

app = create_app()


def start_in_process_jobs():
    """Without REDIS_URL the queue lives in memory: run its consumer (and the periodic jobs) here."""
    consumer = start_in_process_consumer()
    if consumer is not None:
        # Huey's consumer takes SIGINT/SIGTERM for itself: give them back so Ctrl+C stops `make run`.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
    return consumer


if __name__ == "__main__":
    start_in_process_jobs()
    port = int(os.environ.get("PORT", "8000"))
    app.run(host=os.environ.get("HOST", "127.0.0.1"), port=port, debug=app.debug, use_reloader=False)
