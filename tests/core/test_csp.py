"""The CSP forbids eval outside the pages that still need it (issue 13)."""
from tests.conftest import DEMO


def test_back_office_login_and_api_forbid_eval(client):
    client.post("/login/", data={"username": DEMO["ADMIN"][0], "password": DEMO["ADMIN"][1]})
    for path in ("/login/", "/", "/users/list/", "/health", "/api/v1/stores/", "/api/v1/_openapi"):
        policy = client.get(path).headers["Content-Security-Policy"]
        assert "'unsafe-eval'" not in policy, path
        assert "object-src 'none'" in policy and "frame-ancestors 'none'" in policy


def test_only_the_till_pages_keep_eval_until_alpine_csp_build():
    from app.core.headers import content_security_policy

    assert "'unsafe-eval'" in content_security_policy("/pos/1/")
    assert "'unsafe-eval'" in content_security_policy("/cashier/1/")
    assert "'unsafe-eval'" not in content_security_policy("/posters/")
    assert "'unsafe-eval'" not in content_security_policy("/salesview/list/")
