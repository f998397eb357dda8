"""`flask alerts run JOB`: run one alert job now, over every store, and say what it did."""
import click
from flask.cli import AppGroup

from . import services

alerts_cli = AppGroup("alerts", help="Alertes : lancer une vérification.")


@alerts_cli.command("run")
@click.argument("job", type=click.Choice(sorted(services.JOBS)))
def run_command(job):
    """Run JOB now for every store; print the alerts raised and resolved."""
    result = services.run_job(job)
    for label, rows in (("raised", result.raised), ("resolved", result.resolved)):
        for alert_id, store_id, message in rows:
            click.echo(f"{label}\t#{alert_id}\tstore {store_id}\t{message}")
    click.echo(f"{job}: {len(result.raised)} raised, {len(result.resolved)} resolved")


def register(app):
    app.cli.add_command(alerts_cli)
