"""The optional e-mail digest: one message per manager and run with the run's new alerts; none
when nothing is new; nothing at all while MAIL_SERVER is unset."""
import smtplib

import pytest

from app.alerts import tasks
from tests.factories import make_product, make_user, put_in_stock, store_by_code


class FakeSMTP:
    sent = []
    opened = 0

    def __init__(self, host, port, timeout=None):
        FakeSMTP.opened += 1
        self.host, self.port = host, port

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def starttls(self):
        pass

    def login(self, user, password):
        pass

    def send_message(self, message):
        FakeSMTP.sent.append(message)


@pytest.fixture
def smtp(monkeypatch):
    FakeSMTP.sent, FakeSMTP.opened = [], 0
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    return FakeSMTP


def low_stock(app, sku):
    with app.app_context():
        dla = store_by_code("DLA1")
        for n in range(3):
            product = make_product(f"{sku}{n}", f"Produit digest {n}", reorder_level=5)
            put_in_stock(dla, product, 1)


def test_one_message_per_manager_and_run(app, smtp, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.cm")
    with app.app_context():
        make_user("gerant.yde@boutique.cm", "gerant123!", "MANAGER", [store_by_code("YDE1")])
    low_stock(app, "DIG-")
    with app.app_context():
        tasks.check_low_stock()
    to = sorted(message["To"] for message in smtp.sent)
    assert to.count("manager@boutique.cm") == 1  # one message, however many alerts
    body = next(m for m in smtp.sent if m["To"] == "manager@boutique.cm").get_content()
    assert all(f"Produit digest {n}" in body for n in range(3)) and "[DLA1]" in body
    # the Yaoundé manager hears of Yaoundé only (the demo stock has low items there)
    for message in smtp.sent:
        if message["To"] == "gerant.yde@boutique.cm":
            assert "Produit digest" not in message.get_content() and "[DLA1]" not in message.get_content()

    smtp.sent.clear()
    with app.app_context():
        tasks.check_low_stock()  # nothing new: no message
    assert smtp.sent == []


def test_no_mail_without_mail_server(app, smtp):
    low_stock(app, "DIX-")
    with app.app_context():
        tasks.check_low_stock()
    assert smtp.opened == 0
