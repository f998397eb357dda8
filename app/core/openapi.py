"""The OpenAPI document names every status the API can answer (SPEC §10): FAB writes the ones of
its CRUD operations, our docstrings the main ones of each action; the statuses every operation
may get from the common error layer (core/errors.py) are added here, once, to every operation."""
import json

from flask import request

from .errors import HTTP_MESSAGES

OPENAPI_ENDPOINT = "OpenApi.get"
WRITE_METHODS = ("post", "put", "patch", "delete")


def _statuses(path, method):
    statuses = [400, 401, 403, 422, 503]  # bad input, no valid token, not allowed, invalid values, outage
    if "{" in path:
        statuses.append(404)  # unknown, or another store's record
    if method in WRITE_METHODS:
        statuses += [404, 409]  # a related record out of reach; wrong state, duplicate, not enough stock
    if path.startswith("/api/v1/auth/"):
        statuses.append(429)  # rate limited (with Retry-After)
    return statuses


def complete(document):
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in ("get", *WRITE_METHODS) or not isinstance(operation, dict):
                continue
            responses = operation.setdefault("responses", {})
            for status in _statuses(path, method):
                responses.setdefault(str(status), {"description": str(HTTP_MESSAGES.get(status, status))})
    return document


def register(app):
    @app.after_request
    def _complete_the_openapi_document(response):
        if request.endpoint == OPENAPI_ENDPOINT and response.status_code == 200 and response.is_json:
            response.set_data(json.dumps(complete(response.get_json())))
        return response
