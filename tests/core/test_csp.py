"""The CSP forbids eval on every page, and inline scripts on the POS pages (issue 13)."""
import pathlib
import re

import pytest

from tests.conftest import DEMO, sign_in
from tests.factories import open_shift_for, store_by_code, user_by_email

ROOT = pathlib.Path(__file__).resolve().parents[2]
# Every template drawn into a POS page, directly or by HTMX.
POS_TEMPLATES = ["templates/pos", "templates/credits/pos", "templates/credits/till"]


def script_src(policy):
    return next(part for part in policy.split(";") if part.strip().startswith("script-src")).split()[1:]


def test_back_office_login_and_api_forbid_eval(client):
    client.post("/login/", data={"username": DEMO["ADMIN"][0], "password": DEMO["ADMIN"][1]})
    for path in ("/login/", "/", "/users/list/", "/health", "/api/v1/stores/", "/api/v1/_openapi"):
        policy = client.get(path).headers["Content-Security-Policy"]
        assert "'unsafe-eval'" not in policy, path
        assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy


@pytest.mark.parametrize("role, path, status", [
    ("SALES", "/pos/{store}/", 200),
    ("CASHIER", "/cashier/{store}/", 200),
    ("CASHIER", "/cashier/credit/{store}/", 200),
    ("SALES", "/verify/not-a-token", 404),  # the public invoice check draws its page on pos/base.html too
])
def test_pos_pages_forbid_eval_and_inline_scripts(app, client, role, path, status):
    with app.app_context():
        store = store_by_code("DLA1")
        open_shift_for(user_by_email(DEMO["CASHIER"][0]), store)  # the till's workspace, not its opening form
        store_id = store.id
    sign_in(client, role)
    answer = client.get(path.format(store=store_id))
    assert answer.status_code == status, path
    assert script_src(answer.headers["Content-Security-Policy"]) == ["'self'"], path


def test_pos_templates_have_no_inline_script_handler_or_eval():
    """The CSP build and the policy refuse them: a click handler in an attribute, an inline
    script (JSON data in <script type="application/json"> is allowed), htmx's js: values and
    hx-on, an Alpine expression that is more than a name."""
    found = []
    for folder in POS_TEMPLATES:
        for template in sorted((ROOT / folder).rglob("*.html")):
            text = template.read_text()
            name = template.relative_to(ROOT)
            found += [f"{name}: {m}" for m in re.findall(r"\son[a-z]+\s*=", text)]
            found += [f"{name}: {m}" for m in re.findall(r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>", text)]
            found += [f"{name}: {m}" for m in re.findall(r"hx-on[:-]|hx-vals='js:|hx-vars=", text)]
            for directive, expression in re.findall(r"\s(x-(?:data|show|text|if|bind:[a-z-]+|model|init|effect)"
                                                    r"|@[a-z.:-]+|x-on:[a-z.:-]+|:[a-z-]+)=\"([^\"]*)\"", text):
                if not re.fullmatch(r"[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*", expression):
                    found.append(f"{name}: {directive}=\"{expression}\"")
    assert found == []


def test_no_page_keeps_eval():
    from app.core import headers

    for path in ("/pos/1/", "/cashier/1/", "/cashier/credit/1/", "/verify/x", "/swagger/v1", "/posters/", "/salesview/list/"):
        assert "'unsafe-eval'" not in headers.content_security_policy(path), path
