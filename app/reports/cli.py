"""`flask reports snapshot --date D`: (re)build the KPI snapshots of a past day."""
from datetime import date

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..extensions import db
from ..stores.models import Store
from . import services

reports_cli = AppGroup("reports", help="Rapports : instantanés des indicateurs.")


@reports_cli.command("snapshot")
@click.option("--date", "day", required=True, help="Jour (AAAA-MM-JJ) dans le fuseau de chaque magasin.")
@click.option("--store", "codes", multiple=True, help="Code du magasin (tous les magasins actifs par défaut).")
def snapshot_command(day, codes):
    """Write (or rewrite) each store's KPI snapshot of DATE."""
    try:
        wanted = date.fromisoformat(day)
    except ValueError:
        raise click.BadParameter("date attendue au format AAAA-MM-JJ", param_hint="--date") from None
    ids = None
    if codes:
        ids = list(db.session.execute(select(Store.id).where(Store.code.in_(codes))).scalars())
        if len(ids) != len(set(codes)):
            raise click.BadParameter("magasin inconnu", param_hint="--store")
    count = services.snapshot_day(wanted, ids)
    click.echo(f"{count} snapshot(s) written for {wanted.isoformat()}")


def register(app):
    app.cli.add_command(reports_cli)
