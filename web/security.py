"""Security headers, CSRF protection for every form, and long-lived caching of static files. I/O: HTTP.

- Content-Security-Policy without inline scripts or styles (the JSON-LD in
  `<script type="application/ld+json">` is data, which CSP does not run),
  frame-ancestors 'none' plus X-Frame-Options for older browsers,
  X-Content-Type-Options, Referrer-Policy and Permissions-Policy.
- CSRFProtect (Flask-WTF) on every state-changing request, except API calls
  authenticated by a Bearer token (no browser sends one by itself); the OAI-PMH
  endpoint is exempt: its POST is the protocol's form of a read request; so
  is the API's licence check, a computation that changes nothing.
- Behind reverse proxies (`OER_PROXY_HOPS`), their X-Forwarded-* headers are
  trusted for that many hops (werkzeug's ProxyFix), so rate limits count the
  client's address, not the proxy's.
- With `OER_PUBLIC_URL`, every request is seen at that scheme, host and path
  prefix (`PublicUrl`): absolute URLs in mails, API links and the feed never
  come from a Host header a client chose. A request for another host (the
  Host header, or X-Forwarded-Host from a trusted proxy) is refused with 400
  by Flask's TRUSTED_HOSTS, so the site is never served under a name that is
  not its own (DNS rebinding, poisoned caches).
- Static URLs carry a hash of the file's content (`?v=...`, added by
  `url_for("static", ...)`), so a file can be cached for a year and a new
  version is a new URL.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, request
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix

from oer.settings import Settings

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
STATIC_MAX_AGE = 365 * 24 * 3600
# The OAI-PMH view (see web/oai/views.py): POST there is a protocol request, not a form.
# The licence check (web/remix/api.py): a public computation that reads no session and stores nothing.
# The write API (web/publishing/api.py): authenticated by a Bearer token only, never by a cookie,
# so a request without one is a 401 there, not a CSRF refusal.
CSRF_EXEMPT_VIEWS = ("web.oai.views.endpoint", "web.remix.api.check", "web.publishing.api.create",
                     "web.publishing.api.replace", "web.publishing.api.withdraw",
                     "web.remix.api.create_arrangement_json", "web.remix.api.replace_arrangement_json",
                     "web.quality.api.create_annotation")
VERSION_PARAMETER = "v"

csrf = CSRFProtect()


class StaticVersions:
    """Content hashes of static files, computed once per file per process."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._hashes: dict[str, str] = {}

    def version(self, filename: str) -> str | None:
        if filename not in self._hashes:
            path = (self.folder / filename).resolve()
            if not path.is_file() or self.folder.resolve() not in path.parents:
                return None
            self._hashes[filename] = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        return self._hashes[filename]


def public_host_name(public_url: str) -> str:
    """The host name of the public URL as TRUSTED_HOSTS names it: lower case, no port."""
    host = urlsplit(public_url).hostname or ""
    return f"[{host}]" if ":" in host else host


class PublicUrl:
    """WSGI middleware: every request arrives at the configured public scheme, host and prefix.

    A request for the public host name (at whatever port) gets exactly the public
    host; one for another host keeps it, for TRUSTED_HOSTS to refuse.
    """

    def __init__(self, app: Any, public_url: str) -> None:
        parts = urlsplit(public_url)
        self.app = app
        self.scheme = parts.scheme
        self.host = parts.netloc
        self.host_name = public_host_name(public_url)
        self.prefix = parts.path.rstrip("/")

    def _asked_for_public_host(self, host: str) -> bool:
        try:
            asked = urlsplit(f"//{host}").hostname or ""
        except ValueError:
            return False
        return (f"[{asked}]" if ":" in asked else asked) == self.host_name

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        environ["wsgi.url_scheme"] = self.scheme
        if self._asked_for_public_host(environ.get("HTTP_HOST", "")):
            environ["HTTP_HOST"] = self.host
        # ProxyFix, which runs first, has already taken the forwarded host of a trusted proxy.
        environ.pop("HTTP_X_FORWARDED_HOST", None)
        if self.prefix:
            path = environ.get("PATH_INFO", "")
            if path.startswith(self.prefix + "/") or path == self.prefix:
                environ["PATH_INFO"] = path[len(self.prefix):] or "/"
            environ["SCRIPT_NAME"] = self.prefix
        return self.app(environ, start_response)


def init_proxies(app: Flask, settings: Settings) -> None:
    """Trust `proxy_hops` reverse proxies, then pin the public URL (both off by default).

    The middleware wrapped last runs first: ProxyFix reads the proxies' headers
    (client address, scheme, host), then PublicUrl pins what the public URL says.
    """
    if settings.public_url:
        # request.is_secure now follows the public scheme, and with it the cookies' Secure flag.
        app.wsgi_app = PublicUrl(app.wsgi_app, settings.public_url)  # type: ignore[method-assign]
        app.config["TRUSTED_HOSTS"] = [public_host_name(settings.public_url)]
    if settings.proxy_hops:
        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_prefix=hops)  # type: ignore[method-assign]


def init_app(app: Flask) -> None:
    # The session cookie carries the CSRF token: never sent on cross-site requests.
    if app.config.get("SESSION_COOKIE_SAMESITE") is None:
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    # CSRF is checked here rather than by CSRFProtect's own hook, so that API calls carrying a
    # Bearer token skip it: a browser never adds that header by itself, so no other site can
    # forge such a request, and the token (not a cookie) is what authenticates it.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    csrf.init_app(app)
    for view in CSRF_EXEMPT_VIEWS:
        csrf.exempt(view)

    @app.before_request
    def refuse_untrusted_host() -> None:
        # Flask found the Host untrusted while routing; answer that before any other hook
        # (CSRF, session, limits) runs on a request that is refused anyway.
        if isinstance(request.routing_exception, SecurityError):
            raise request.routing_exception

    @app.before_request
    def check_csrf() -> None:
        if request.path.startswith("/api/") and request.headers.get("Authorization", "").lower().startswith("bearer "):
            return
        csrf.protect(apply_exemptions=True)
    versions = StaticVersions(Path(app.static_folder or "static"))
    app.extensions["oer_static_versions"] = versions

    @app.url_defaults
    def version_static_urls(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "filename" in values and VERSION_PARAMETER not in values:
            version = versions.version(values["filename"])
            if version:
                values[VERSION_PARAMETER] = version

    @app.after_request
    def add_headers(response: Response) -> Response:
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if request.endpoint == "static":
            filename = (request.view_args or {}).get("filename", "")
            wanted = request.args.get(VERSION_PARAMETER)
            if wanted and wanted == versions.version(filename):
                response.cache_control.no_cache = None
                response.cache_control.max_age = STATIC_MAX_AGE
                response.cache_control.public = True
                response.cache_control.immutable = True
            else:
                # Unversioned (or stale) URL: may be cached, but must be checked again.
                response.cache_control.no_cache = True
        elif request.path.startswith("/api/"):
            # The JSON API is public and read-only: any site may call it from a browser.
            response.headers.setdefault("Access-Control-Allow-Origin", "*")
        return response

