"""Security headers on every answer (SPEC §11)."""
from flask import request

# No page evaluates strings ('unsafe-eval' nowhere: the POS pages use Alpine's CSP build); the
# policy forbids any other origin, plugins, framing and form posts elsewhere.
_POLICY = (
    "default-src 'self'; script-src 'self'{inline}; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# FAB's generated screens (and its Swagger UI) use inline scripts.
CSP = _POLICY.format(inline=" 'unsafe-inline'")
# The POS pages (templates/pos/base.html: seller, till, credit repayment, invoice check) run only
# the app's script files: no inline script or handler.
CSP_POS = _POLICY.format(inline="")
POS_PATH_PREFIXES = ("/pos/", "/cashier/", "/verify/")


def content_security_policy(path):
    return CSP_POS if path.startswith(POS_PATH_PREFIXES) else CSP


def register(app):
    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("Content-Security-Policy", content_security_policy(request.path))
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Permissions-Policy", "camera=(self), geolocation=(), microphone=()")
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
