"""The /oai endpoint: GET/POST arguments to the OAI provider, its answer back (gzipped if asked). I/O: HTTP.

Wiring (in the app factory or a test)::

    init_app(app, repository_factory)   # formats default to metadata.formats.FORMATS

`repository_factory` is called once per request (inside the request context,
so it may open a database session or read `flask.request`); the provider,
its formats and its token signer are built once from the app's SECRET_KEY.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import Blueprint, Flask, Response, current_app, request, url_for
from werkzeug.exceptions import TooManyRequests

from metadata.formats import FORMATS, MetadataFormats
from oer.errors import ConfigurationError
from oer.feed.oai.contract import FeedRepository
from oer.feed.oai.provider import DEFAULT_PAGE_SIZE, Clock, OaiProvider, utc_now
from oer.feed.oai.tokens import MINIMUM_LIFETIME, ResumptionTokens

EXTENSION = "oai"
CONTENT_TYPE = "text/xml; charset=utf-8"
# The human view of the feed (a browser runs it; harvesters ignore the processing instruction).
STYLESHEET = "oai/oai2.xsl"
_XML_DECLARATION = b"<?xml version='1.0' encoding='UTF-8'?>\n"
# zlib's fast levels (1-3) compress a page of 200 LOM records (1.1 MB) in half the time of
# its default 6 (4 against 8 ms here), at 14 against 20 times smaller: a harvester's
# page then waits on the server's CPU less, for a few more kilobytes on the wire.
GZIP_LEVEL = 3

blueprint = Blueprint("oai", __name__)


@dataclass(frozen=True, slots=True)
class OaiExtension:
    """What `init_app` stores in `app.extensions["oai"]`."""

    provider: OaiProvider
    repository_factory: Callable[[], FeedRepository]


def init_app(
    app: Flask,
    repository_factory: Callable[[], FeedRepository],
    *,
    formats: MetadataFormats | None = None,
    page_size: int = DEFAULT_PAGE_SIZE,
    token_lifetime: timedelta = MINIMUM_LIFETIME,
    clock: Clock = utc_now,
) -> OaiProvider:
    """Serve the OAI-PMH provider at /oai on `app`; return the provider."""
    secret_key = app.config.get("SECRET_KEY")
    if not secret_key:
        raise ConfigurationError(
            "the OAI-PMH feed signs resumption tokens: set OER_SECRET_KEY or run `oer init`"
        )
    provider = OaiProvider(
        formats if formats is not None else FORMATS,
        ResumptionTokens(secret_key, lifetime=token_lifetime),
        page_size=page_size,
        clock=clock,
    )
    app.extensions[EXTENSION] = OaiExtension(provider, repository_factory)
    # Called again on the same app (a test swapping in its own feed), it replaces the feed.
    if blueprint.name not in app.blueprints:
        app.register_blueprint(blueprint)
    return provider


@blueprint.route("/oai", methods=["GET", "POST"])
def endpoint() -> Response:
    """Every verb at one URL; errors too are HTTP 200 with an OAI `<error>` body (spec 3.6)."""
    extension: OaiExtension = current_app.extensions[EXTENSION]
    # Spec 3.1.1: GET carries the arguments in the query, POST in a form-encoded body.
    source = request.form if request.method == "POST" else request.args
    arguments = {name: source.getlist(name) for name in source}
    body = with_stylesheet(extension.provider.handle(extension.repository_factory(), arguments))
    response = Response(body, status=200, content_type=CONTENT_TYPE)
    response.vary.add("Accept-Encoding")
    if request.accept_encodings.quality("gzip") > 0:
        response.set_data(gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0))
        response.headers["Content-Encoding"] = "gzip"
    return response


def with_stylesheet(body: bytes) -> bytes:
    """`body` with an `xml-stylesheet` instruction after its XML declaration (XML 1.0 section 2.6;
    W3C "Associating Style Sheets with XML documents"), so a browser shows the feed as a page.

    The href is a same-origin path (browsers run only same-origin XSLT), through `url_for` so it
    carries the script root and the file's version like every other static URL.
    """
    if not body.startswith(_XML_DECLARATION):
        return body
    href = url_for("static", filename=STYLESHEET)
    # The PI's pseudo-attribute is quoted with '"'; `url_for` gives a path with a URL-safe query.
    instruction = f'<?xml-stylesheet type="text/xsl" href="{href}"?>\n'.encode()
    # A view of the rest, not a slice: a page of records is a megabyte, copied once into the join.
    return b"".join((_XML_DECLARATION, instruction, memoryview(body)[len(_XML_DECLARATION):]))


@blueprint.errorhandler(TooManyRequests)
def too_many_requests(error: TooManyRequests) -> Response:
    """Over the feed's rate limit: HTTP 429 and a line of text; the limiter adds Retry-After.

    Not an OAI `<error>` (the protocol has no code for it): harvesters wait on a
    429 or 503 with Retry-After and then repeat the request, token and all.
    """
    return Response("Too many requests: wait for the time in Retry-After, then repeat the request.\n",
                    status=429, content_type="text/plain; charset=utf-8")
