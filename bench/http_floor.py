"""The HTTP floor of bench/checkout.py: the same gunicorn, the same client, no work at all.

Every POST answers one JSON body that satisfies each step of a checkout (a token, a sale id,
a total, a PAID status) without reading a database. What this app serves per second is the
most any API could do on this machine with this server and client: the rest of the API's
cost is the application itself (authentication, rules, SQL).
"""
from flask import Flask, jsonify, request

app = Flask(__name__)


@app.get("/health")
def health():
    return jsonify(status="ok")


@app.post("/<path:anything>")
def answer(anything):
    request.get_json(silent=True)  # parse the body as the API does
    return jsonify(access="no-token", id=1, result={"total": "80000", "sale_status": "PAID"})
