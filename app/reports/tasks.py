"""daily_kpi_snapshot (SPEC §9): at 01:00 in each store's zone, yesterday's KPIs are stored.

Like the daily alert jobs (app/alerts/tasks.py), it ticks every hour (Huey's crontabs are UTC)
and snapshots the stores whose local hour is 01 at that tick. Writing a day again replaces its
row (one snapshot per store and day), so a retry or a second run is harmless.
"""
import logging

from huey import crontab

from ..alerts.services import stores_at_local_hour
from ..core.models import utcnow
from ..extensions import huey, job_context
from . import services

log = logging.getLogger(__name__)
LOCAL_HOUR = 1


def run_snapshot(now=None):
    """Snapshot yesterday for the stores at 01:00 local at `now` (UTC); returns how many."""
    with job_context():
        now = now or utcnow()
        try:
            return services.snapshot_yesterday(stores_at_local_hour(LOCAL_HOUR, now), now)
        except Exception:
            log.exception("daily_kpi_snapshot failed (Huey retries it)")
            raise


@huey.periodic_task(crontab(minute="0"), name="daily_kpi_snapshot", retries=2, retry_delay=120)
def daily_kpi_snapshot():
    return run_snapshot()
