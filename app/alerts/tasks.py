"""The alert jobs as Huey periodic tasks (SPEC §9). Each calls services.run_job.

Huey reads its crontabs in UTC; the stores' local hours are applied by the jobs: a daily job
ticks every hour and checks the stores whose local hour is its own (22:00 in Douala is
21:00 UTC), so each store is checked at its own 22:00 whatever the server's zone. A job that
fails is logged with its traceback and retried by Huey; the other jobs are separate tasks.
A new job: a Check and a Job in services (its cause query, its local hour) and one task here.
"""
import logging

from huey import crontab

from ..extensions import huey, job_context
from . import digest, services

log = logging.getLogger(__name__)
RETRIES = dict(retries=2, retry_delay=120)
EVERY_HOUR = crontab(minute="0")  # daily jobs: the stores at the job's local hour


def run_scheduled(name):
    with job_context():
        try:
            result = services.run_job(name, scheduled=True)
        except Exception:
            log.exception("Alert job %s failed (Huey retries it)", name)
            raise
        digest.send_digest(result)
    return {"raised": len(result.raised), "resolved": len(result.resolved)}


@huey.periodic_task(crontab(minute="0", hour="*/2"), name="check_low_stock", **RETRIES)
def check_low_stock():
    return run_scheduled("check_low_stock")


@huey.periodic_task(crontab(minute="0,30"), name="check_pending_payments", **RETRIES)
def check_pending_payments():
    return run_scheduled("check_pending_payments")


@huey.periodic_task(EVERY_HOUR, name="check_abnormal_discounts", **RETRIES)
def check_abnormal_discounts():
    return run_scheduled("check_abnormal_discounts")


@huey.periodic_task(EVERY_HOUR, name="check_cash_variance", **RETRIES)
def check_cash_variance():
    return run_scheduled("check_cash_variance")


@huey.periodic_task(EVERY_HOUR, name="check_overdue_credits", **RETRIES)
def check_overdue_credits():
    return run_scheduled("check_overdue_credits")


def due_jobs(moment):
    """{job name: store ids} that the scheduler runs at `moment` (UTC): what Huey finds due, then
    the stores each job checks at that moment."""
    due = {}
    for task in huey.read_periodic(moment.replace(tzinfo=None)):
        job = services.JOBS.get(task.name)
        if job is None:
            continue
        stores = (services.stores_at_local_hour(job.local_hour, moment) if job.local_hour is not None
                  else services.all_store_ids())
        if stores:
            due[task.name] = stores
    return due
