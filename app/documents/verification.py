"""Signed invoice verification tokens: the QR code on an invoice points to /verify/<token>.

The token is signed with the app's SECRET_KEY (itsdangerous): an altered token is
refused; it names the sale and its number so a token cannot be moved to another sale.
"""
from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

SALT = "invoice-verification"


def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def make_token(sale_id, number):
    return _serializer().dumps({"s": sale_id, "n": number})


def read_token(token):
    """(sale id, number), or None for a token we did not sign."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("s"), int) or not isinstance(data.get("n"), str):
        return None
    return data["s"], data["n"]
