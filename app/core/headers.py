"""Security headers on every answer (SPEC §11)."""
from flask import request

# FAB's generated screens use inline scripts and styles; the policy still forbids eval, any other
# origin, plugins, framing and form posts elsewhere.
_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'{eval}; "
    "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
CSP = _POLICY.format(eval="")
# Pages still evaluating strings until they move off it: the till pages (Alpine's standard build
# compiles x-data/x-show/@click expressions with `new Function`; Alpine's CSP build would not) and
# FAB's Swagger UI bundle.
CSP_WITH_EVAL = _POLICY.format(eval=" 'unsafe-eval'")
EVAL_PATH_PREFIXES = ("/pos/", "/cashier/", "/swagger/")


def content_security_policy(path):
    return CSP_WITH_EVAL if path.startswith(EVAL_PATH_PREFIXES) else CSP


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
