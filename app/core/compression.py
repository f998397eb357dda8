"""Gzip for text answers (pages, fragments, CSS, scripts, SVG) when the browser accepts it.

The shops work over 3G links that drop: gunicorn serves the app directly (no proxy compresses
for it), and HTMX, Alpine.js and each keystroke's fragment are text that shrinks 3-4 times.
Static files are compressed once per version (path + ETag), answers of the views each time.
"""
import gzip
from functools import lru_cache

from flask import request

COMPRESSIBLE = {"text/html", "text/css", "text/javascript", "application/javascript", "image/svg+xml"}
MIN_SIZE = 500  # bytes: below that, headers cost more than gzip saves
LEVEL = 6


@lru_cache(maxsize=64)
def _static_gzip(path, etag, data):
    return gzip.compress(data, compresslevel=LEVEL, mtime=0)


def _compress(response):
    if (response.status_code != 200 or "Content-Encoding" in response.headers
            or response.mimetype not in COMPRESSIBLE
            or "gzip" not in request.headers.get("Accept-Encoding", "").lower()):
        return response
    if response.direct_passthrough:  # a static file: read it to compress it
        response.direct_passthrough = False
    data = response.get_data()
    if len(data) < MIN_SIZE:
        return response
    etag, weak = response.get_etag()
    if request.endpoint == "static" and etag:
        body = _static_gzip(request.path, etag, data)
        response.set_etag(etag + "-gz", weak=weak)  # another representation, another tag
    else:
        body = gzip.compress(data, compresslevel=LEVEL, mtime=0)
    response.set_data(body)
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    return response


def _revalidate_gzipped():
    """A browser revalidates a gzipped static file with its "-gz" tag: compare the file's own tag,
    so that an unchanged file answers 304 (no body) as it did before compression."""
    if request.endpoint == "static":
        tags = request.environ.get("HTTP_IF_NONE_MATCH")
        if tags and '-gz"' in tags:
            request.environ["HTTP_IF_NONE_MATCH"] = tags.replace('-gz"', '"')


def register(app):
    app.before_request(_revalidate_gzipped)
    app.after_request(_compress)
