"""Schemathesis against the app's own OpenAPI document, as each role (issue 13): for a bounded
number of generated requests per operation, no answer is a 5xx and every status answered is
documented for that operation. The counts of operations and requests are printed."""
import os
import time

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings

from tests.conftest import DEMO, get_tokens

# About a minute in all (the whole suite must stay quick): one generated request per operation
# and role; FUZZ_EXAMPLES=n for a deeper run.
EXAMPLES_PER_OPERATION = int(os.environ.get("FUZZ_EXAMPLES", "1"))
# Logging out or refreshing would end the role's own token halfway through the run.
SKIPPED = {("POST", "/api/v1/auth/logout/"), ("POST", "/api/v1/auth/token/refresh/")}


def operations(schema):
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) not in SKIPPED:
            yield operation


def documented(operation):
    return {str(code) for code in operation.definition.raw.get("responses", {})}


@pytest.mark.parametrize("role", [None, *sorted(DEMO)])
def test_fuzz_the_api_as_each_role(app, client, role, record_property):
    headers = {}
    if role is not None:
        headers["Authorization"] = "Bearer " + get_tokens(client, *DEMO[role])["access"]
    admin = "Bearer " + get_tokens(client, *DEMO["ADMIN"])["access"]  # the document asks for a login
    schema = schemathesis.openapi.from_wsgi("/api/v1/_openapi", app, headers={"Authorization": admin})
    problems, count, started = [], {"operations": 0, "requests": 0}, time.monotonic()
    for operation in operations(schema):
        count["operations"] += 1
        allowed = documented(operation)

        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck), phases=[Phase.generate])
        @given(operation.as_strategy())
        def call(case):
            response = case.call(headers=headers)
            count["requests"] += 1
            status = str(response.status_code)
            if response.status_code >= 500 or (status not in allowed and "default" not in allowed):
                problems.append(f"{operation.method.upper()} {operation.path} -> {status} "
                                f"(documented: {sorted(allowed)}): {response.text[:160]}")

        call()
    # Printed at the end of the run by tests/conftest.py (also from pytest-xdist workers).
    record_property("summary", f"schemathesis as {role or 'anonymous'}: {count['operations']} operations, "
                               f"{count['requests']} generated requests in {time.monotonic() - started:.1f} s")
    assert not problems, "\n".join(sorted(set(problems)))
