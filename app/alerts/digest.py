"""Optional e-mail digest of new alerts: after a job run that raised alerts, one message per
manager of the stores concerned, listing that run's new alerts of their stores (never one
message per alert). Off while MAIL_SERVER is unset. A mail failure is logged; it never fails
the job (Huey would run the checks again for nothing)."""
import logging
import smtplib
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from ..stores.models import Store, StoreUser

log = logging.getLogger(__name__)


def managers_by_store(store_ids):
    """{store id: [email, ...]} of the active managers assigned to those stores."""
    from flask_appbuilder.security.sqla.models import Role, User, assoc_user_role

    rows = db.session.execute(
        select(StoreUser.store_id, User.email)
        .join(User, User.id == StoreUser.user_id)
        .join(assoc_user_role, assoc_user_role.c.user_id == User.id)
        .join(Role, Role.id == assoc_user_role.c.role_id)
        .where(StoreUser.store_id.in_(store_ids), Role.name == "MANAGER", User.active.is_(True))).all()
    found = {}
    for store_id, email in rows:
        found.setdefault(store_id, []).append(email)
    return found


def messages_for(result):
    """[(email, EmailMessage)]: one message per manager for this run's new alerts."""
    if not result.raised:
        return []
    store_ids = sorted({store_id for _, store_id, _ in result.raised})
    codes = dict(db.session.execute(select(Store.id, Store.code).where(Store.id.in_(store_ids))).all())
    lines_by_email = {}
    for store_id, emails in managers_by_store(store_ids).items():
        for email in emails:
            lines_by_email.setdefault(email, []).extend(
                f"[{codes.get(store_id, store_id)}] {message}"
                for _, alert_store, message in result.raised if alert_store == store_id)
    messages = []
    for email, lines in sorted(lines_by_email.items()):
        message = EmailMessage()
        message["Subject"] = f"Boutique Manager : {len(lines)} nouvelle(s) alerte(s)"
        message["From"] = current_app.config["MAIL_FROM"]
        message["To"] = email
        message.set_content("Nouvelles alertes :\n\n" + "\n".join(lines) + "\n")
        messages.append((email, message))
    return messages


def send_digest(result):
    """Send the digest of a run if mail is configured; returns the number of messages sent."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        return 0
    try:
        messages = messages_for(result)
        if not messages:
            return 0
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=30) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            for _, message in messages:
                smtp.send_message(message)
        return len(messages)
    except Exception:  # noqa: BLE001 - the alerts are recorded; the mail is a courtesy
        log.exception("Alert digest of %s not sent", result.job)
        return 0
