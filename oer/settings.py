"""Validated, read-only settings from the environment. I/O: reads the environment and OER_HOME.

Every key has one commented default here; nothing else in the project reads
`os.environ` for configuration. The embedded defaults run everything on one
machine (SQLite, tantivy, tasks in-process); the scaled deployment sets the
URLs to PostgreSQL, Elasticsearch (or OpenSearch) and Redis.
"""

from __future__ import annotations

import dataclasses
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from oer.errors import ConfigurationError

SECRET_KEY_FILE = "secret_key"
# OAI-PMH 2.0 schema: emailType, and the repositoryIdentifier of the oai-identifier format.
_EMAIL = re.compile(r"\S+@(\S+\.)+\S+")
_DOMAIN_NAME = re.compile(r"[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)+")
# The feed's page size bounds: small enough for one response to stay quick, large enough
# that a harvester of 100k records does not need thousands of requests.
OAI_PAGE_SIZES = (100, 500)
# OER_SEARCH_URL's scheme names the search engine, as a database URL's names the driver:
# plain http(s) is Elasticsearch; `opensearch+` in front names OpenSearch, whose client gets
# the URL without it.
SEARCH_URL_ENGINES = {
    "http": "elasticsearch",
    "https": "elasticsearch",
    "opensearch+http": "opensearch",
    "opensearch+https": "opensearch",
}
# Flask-Limiter's notation, one or more limits separated by ";": "120/minute", "10 per second".
_RATE_LIMIT = re.compile(
    r"\d+\s*(?:/|per)\s*(?:\d+\s*)?(?:second|minute|hour|day)s?(?:\s*;\s*\d+\s*(?:/|per)\s*(?:\d+\s*)?"
    r"(?:second|minute|hour|day)s?)*"
)


@dataclass(frozen=True, slots=True)
class Settings:
    # Where the embedded database, search index, raw-record archive and secret live.
    home: Path
    # SQLAlchemy URL; default: SQLite file `oer.sqlite3` in `home`.
    database_url: str
    # None: tantivy index in `home/index`; `http(s)://host:9200`: Elasticsearch;
    # `opensearch+http(s)://host:9200`: OpenSearch.
    search_url: str | None
    # None: tasks run in-process; `redis://...`: Celery broker (workers + beat).
    broker_url: str | None
    # Signs sessions, CSRF tokens and OAI-PMH resumption tokens; None until `oer init`.
    secret_key: str | None
    # Prefix of the Elasticsearch/OpenSearch index/alias names (lets tests share one cluster).
    search_index_prefix: str = "oer"
    # The OAI-PMH feed's Identify: repository name, admin email, and the domain name in its
    # `oai:DOMAIN:RESOURCE-ID` identifiers (keep it fixed: identifiers must never change).
    repository_name: str = "OER repository"
    admin_email: str = "admin@oer.local"
    oai_repository_id: str = "oer.local"
    # Records (or headers, or sets) per OAI-PMH list response of the feed, 100-500.
    oai_page_size: int = 200
    # The contact URL in the harvester's User-Agent: where a source's operator reads who
    # harvests them and how to reach us. Set it to a page of your own deployment.
    harvester_contact_url: str = "https://example.org/oer-repository/harvester"
    # Mail: an smtp:// (or smtps://) URL sends through that server; unset, messages are written
    # to OER_HOME/mail/ (`oer mail list`), so sign-up works on the embedded defaults.
    smtp_url: str | None = None
    mail_from: str = "noreply@oer.local"
    # OpenID Connect sign-in (a school federation such as SURFconext or Entree): off unless an
    # issuer is set; the discovery document at ISSUER/.well-known/openid-configuration says the rest.
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    # The claim naming the user's institution; its value may map to an organisation membership.
    oidc_organisation_claim: str = "schac_home_organization"
    # Abuse limits' counters: memory:// in one process; a Redis URL shares them between workers
    # (defaults to OER_BROKER_URL when that is set).
    rate_limit_url: str | None = None
    # The site's public base URL (https://oer.example.org): every absolute URL (mail links, the
    # SSO redirect, API links, the feed's baseURL, published materials' download links) is built
    # from it and the request's Host header is ignored. None: from the request (development).
    public_url: str | None = None
    # How many reverse proxies in front of the site may set X-Forwarded-For/-Proto/-Host (0: none,
    # the headers are ignored; 1: one nginx or load balancer).
    proxy_hops: int = 0
    # The largest file a publisher may upload, in bytes (OER_UPLOAD_MAX_MB; default 100 MB).
    upload_max_bytes: int = 100 * 1024 * 1024
    # Harvest sources on loopback or private addresses (a school's repository on its own network,
    # the demo, the tests). Off: such sources are refused. Link-local and cloud metadata
    # addresses are refused always.
    allow_private_sources: bool = False
    # Bounds on a harvest, so every run ends (each limit, when hit, ends the run cleanly with what
    # was committed kept and the reason in the run's errors; the next run continues from there).
    # Seconds one response may take on the wall clock, however slowly its bytes arrive.
    harvest_response_seconds: int = 300
    # Minutes one run of one source may take, and pages it may read.
    harvest_max_run_minutes: int = 360
    harvest_max_pages: int = 20_000
    # The longest resumption token accepted (characters); a token that keeps growing is refused.
    harvest_max_token_chars: int = 4096
    # The longest Retry-After a source may impose on one wait (seconds); longer waits are cut to it.
    harvest_max_retry_after: int = 300
    # The largest page, after decompression (MB); decompression stops at it.
    harvest_max_response_mb: int = 256
    # Rate limits per client address (Flask-Limiter notation, "120/minute;10/second"): search
    # pages and /api/v1/search, the rest of the read API, and the OAI-PMH feed (generous: a
    # harvester takes pages one after another).
    rate_limit_search: str = "120/minute;10/second"
    rate_limit_api: str = "600/minute;20/second"
    rate_limit_feed: str = "1200/minute;30/second"
    # Where `oer serve` logs every request (gunicorn's access log): "-" standard output, a file
    # path, or None for no access log (OER_ACCESS_LOG=off; errors are logged either way).
    access_log: str | None = "-"
    # Demand signals (searches that found few or no materials, counted without who searched): a
    # search counts when it found at most OER_DEMAND_THIN_RESULTS materials; a query is shown only
    # once at least OER_DEMAND_THRESHOLD searches asked it (k-anonymity); daily counts are kept
    # OER_DEMAND_RETENTION_DAYS days (`oer demand purge`, daily on the workers).
    demand_thin_results: int = 3
    demand_threshold: int = 5
    demand_retention_days: int = 365

    @property
    def files_dir(self) -> Path:
        return self.home / "files"

    @property
    def mail_dir(self) -> Path:
        return self.home / "mail"

    @property
    def oidc_enabled(self) -> bool:
        return self.oidc_issuer is not None

    @property
    def rate_limit_storage(self) -> str:
        return self.rate_limit_url or self.broker_url or "memory://"

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    @property
    def archive_dir(self) -> Path:
        return self.home / "archive"

    @property
    def search_backend(self) -> str:
        """`tantivy`, `elasticsearch` or `opensearch`; '' for a URL scheme that names none."""
        if not self.search_url:
            return "tantivy"
        return SEARCH_URL_ENGINES.get(urlsplit(self.search_url).scheme, "")

    @property
    def search_service_url(self) -> str | None:
        """OER_SEARCH_URL as the engine's client takes it: http(s)://, without `opensearch+`."""
        if self.search_url is None:
            return None
        engine, plus, _ = urlsplit(self.search_url).scheme.rpartition("+")
        return self.search_url[len(engine) + 1 :] if plus else self.search_url

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        home = Path(env.get("OER_HOME") or "instance").resolve()
        database_url = env.get("OER_DATABASE_URL") or f"sqlite:///{home / 'oer.sqlite3'}"
        search_url = env.get("OER_SEARCH_URL") or None
        broker_url = env.get("OER_BROKER_URL") or None
        secret_key = env.get("OER_SECRET_KEY") or _read_secret(home)
        settings = cls(
            home=home,
            database_url=database_url,
            search_url=search_url,
            broker_url=broker_url,
            secret_key=secret_key,
            search_index_prefix=env.get("OER_SEARCH_INDEX_PREFIX") or "oer",
            repository_name=env.get("OER_REPOSITORY_NAME") or "OER repository",
            admin_email=env.get("OER_ADMIN_EMAIL") or "admin@oer.local",
            oai_repository_id=env.get("OER_OAI_REPOSITORY_ID") or "oer.local",
            oai_page_size=_integer(env, "OER_OAI_PAGE_SIZE", 200),
            harvester_contact_url=env.get("OER_HARVESTER_CONTACT_URL")
            or "https://example.org/oer-repository/harvester",
            smtp_url=env.get("OER_SMTP_URL") or None,
            mail_from=env.get("OER_MAIL_FROM") or "noreply@oer.local",
            oidc_issuer=(env.get("OER_OIDC_ISSUER") or "").rstrip("/") or None,
            oidc_client_id=env.get("OER_OIDC_CLIENT_ID") or None,
            oidc_client_secret=env.get("OER_OIDC_CLIENT_SECRET") or None,
            oidc_organisation_claim=env.get("OER_OIDC_ORGANISATION_CLAIM") or "schac_home_organization",
            rate_limit_url=env.get("OER_RATE_LIMIT_URL") or None,
            public_url=(env.get("OER_PUBLIC_URL") or "").rstrip("/") or None,
            proxy_hops=_integer(env, "OER_PROXY_HOPS", 0),
            upload_max_bytes=_integer(env, "OER_UPLOAD_MAX_MB", 100) * 1024 * 1024,
            allow_private_sources=_flag(env, "OER_ALLOW_PRIVATE_SOURCES"),
            harvest_response_seconds=_integer(env, "OER_HARVEST_RESPONSE_SECONDS", 300),
            harvest_max_run_minutes=_integer(env, "OER_HARVEST_MAX_RUN_MINUTES", 360),
            harvest_max_pages=_integer(env, "OER_HARVEST_MAX_PAGES", 20_000),
            harvest_max_token_chars=_integer(env, "OER_HARVEST_MAX_TOKEN_CHARS", 4096),
            harvest_max_retry_after=_integer(env, "OER_HARVEST_MAX_RETRY_AFTER", 300),
            harvest_max_response_mb=_integer(env, "OER_HARVEST_MAX_RESPONSE_MB", 256),
            rate_limit_search=env.get("OER_RATE_LIMIT_SEARCH") or "120/minute;10/second",
            rate_limit_api=env.get("OER_RATE_LIMIT_API") or "600/minute;20/second",
            rate_limit_feed=env.get("OER_RATE_LIMIT_FEED") or "1200/minute;30/second",
            access_log=_access_log(env),
            demand_thin_results=_integer(env, "OER_DEMAND_THIN_RESULTS", 3),
            demand_threshold=_integer(env, "OER_DEMAND_THRESHOLD", 5),
            demand_retention_days=_integer(env, "OER_DEMAND_RETENTION_DAYS", 365),
        )
        settings.validate()
        return settings

    def validate(self) -> None:
        """Fail at start-up, with a message a user can act on, for a malformed setting."""
        scheme = urlsplit(self.database_url).scheme.split("+")[0]
        if scheme not in ("sqlite", "postgresql"):
            raise ConfigurationError(
                f"OER_DATABASE_URL: unsupported database {scheme or self.database_url!r}; "
                "use sqlite:///PATH or postgresql://USER@HOST/DB"
            )
        if self.search_url is not None and not self.search_backend:
            raise ConfigurationError(
                f"OER_SEARCH_URL: {self.search_url!r} is not an Elasticsearch URL "
                "(http(s)://HOST:9200) or an OpenSearch URL (opensearch+http(s)://HOST:9200); "
                "leave it unset for the embedded tantivy index"
            )
        if self.broker_url is not None and urlsplit(self.broker_url).scheme not in ("redis", "rediss"):
            raise ConfigurationError(
                f"OER_BROKER_URL: {self.broker_url!r} is not a Redis URL (redis://HOST:6379/0); "
                "leave it unset to run tasks in-process"
            )
        if not _EMAIL.fullmatch(self.admin_email):
            raise ConfigurationError(f"OER_ADMIN_EMAIL: {self.admin_email!r} is not an email address")
        if not OAI_PAGE_SIZES[0] <= self.oai_page_size <= OAI_PAGE_SIZES[1]:
            raise ConfigurationError(
                f"OER_OAI_PAGE_SIZE: {self.oai_page_size} is outside "
                f"{OAI_PAGE_SIZES[0]}-{OAI_PAGE_SIZES[1]} (records per feed page)"
            )
        contact = urlsplit(self.harvester_contact_url)
        if contact.scheme not in ("http", "https") or not contact.netloc:
            raise ConfigurationError(
                f"OER_HARVESTER_CONTACT_URL: {self.harvester_contact_url!r} is not an http(s) URL "
                "(a page telling source operators who harvests them)"
            )
        if self.smtp_url is not None and urlsplit(self.smtp_url).scheme not in ("smtp", "smtps"):
            raise ConfigurationError(
                f"OER_SMTP_URL: {self.smtp_url!r} is not an SMTP URL (smtp://USER:PASSWORD@HOST:587); "
                "leave it unset to write mail to OER_HOME/mail"
            )
        if not _EMAIL.fullmatch(self.mail_from):
            raise ConfigurationError(f"OER_MAIL_FROM: {self.mail_from!r} is not an email address")
        if self.oidc_issuer is not None:
            if urlsplit(self.oidc_issuer).scheme not in ("http", "https"):
                raise ConfigurationError(f"OER_OIDC_ISSUER: {self.oidc_issuer!r} is not an http(s) URL")
            if not (self.oidc_client_id and self.oidc_client_secret):
                raise ConfigurationError(
                    "OER_OIDC_ISSUER is set: OER_OIDC_CLIENT_ID and OER_OIDC_CLIENT_SECRET are needed too"
                )
        if self.public_url is not None:
            public = urlsplit(self.public_url)
            if public.scheme not in ("http", "https") or not public.hostname or public.query or public.fragment:
                raise ConfigurationError(
                    f"OER_PUBLIC_URL: {self.public_url!r} is not a base URL (https://oer.example.org)"
                )
        if not 0 <= self.proxy_hops <= 5:
            raise ConfigurationError(f"OER_PROXY_HOPS: {self.proxy_hops} is outside 0-5 (reverse proxies)")
        for key, value in (("OER_HARVEST_RESPONSE_SECONDS", self.harvest_response_seconds),
                           ("OER_HARVEST_MAX_RUN_MINUTES", self.harvest_max_run_minutes),
                           ("OER_HARVEST_MAX_PAGES", self.harvest_max_pages),
                           ("OER_HARVEST_MAX_TOKEN_CHARS", self.harvest_max_token_chars),
                           ("OER_HARVEST_MAX_RESPONSE_MB", self.harvest_max_response_mb)):
            if value <= 0:
                raise ConfigurationError(f"{key}: must be at least 1")
        if self.harvest_max_retry_after < 0:
            raise ConfigurationError("OER_HARVEST_MAX_RETRY_AFTER: must be 0 or more seconds")
        for key, limit in (("OER_RATE_LIMIT_SEARCH", self.rate_limit_search),
                           ("OER_RATE_LIMIT_API", self.rate_limit_api),
                           ("OER_RATE_LIMIT_FEED", self.rate_limit_feed)):
            if not _RATE_LIMIT.fullmatch(limit.strip()):
                raise ConfigurationError(
                    f"{key}: {limit!r} is not a rate limit such as '120/minute' or '600/minute;20/second'"
                )
        if self.demand_thin_results < 0:
            raise ConfigurationError("OER_DEMAND_THIN_RESULTS: must be 0 or more materials")
        if self.demand_threshold < 2:
            raise ConfigurationError("OER_DEMAND_THRESHOLD: must be at least 2 searches (k-anonymity)")
        if self.demand_retention_days < 1:
            raise ConfigurationError("OER_DEMAND_RETENTION_DAYS: must be at least 1 day")
        if self.upload_max_bytes <= 0:
            raise ConfigurationError("OER_UPLOAD_MAX_MB: must be at least 1")
        if not _DOMAIN_NAME.fullmatch(self.oai_repository_id):
            raise ConfigurationError(
                f"OER_OAI_REPOSITORY_ID: {self.oai_repository_id!r} is not a domain name "
                "(e.g. oer.example.org)"
            )


def ensure_home(settings: Settings) -> Settings:
    """Create OER_HOME and a secret key in it if there is none; return the settings with it."""
    settings.home.mkdir(parents=True, exist_ok=True)
    if settings.secret_key:
        return settings
    secret_file = settings.home / SECRET_KEY_FILE
    secret = secrets.token_urlsafe(48)
    # The secret signs resumption tokens and sessions: readable by the owner only.
    fd = os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secret)
    return dataclasses.replace(settings, secret_key=secret)


def _integer(env: Mapping[str, str], key: str, default: int) -> int:
    value = env.get(key)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigurationError(f"{key}: {value!r} is not a whole number") from None


def _access_log(env: Mapping[str, str]) -> str | None:
    value = (env.get("OER_ACCESS_LOG") or "").strip()
    if not value:
        return "-"
    return None if value.lower() in ("off", "0", "false", "no", "none") else value


def _flag(env: Mapping[str, str], key: str) -> bool:
    value = (env.get(key) or "").strip().lower()
    if value in ("", "0", "false", "no", "off"):
        return False
    if value in ("1", "true", "yes", "on"):
        return True
    raise ConfigurationError(f"{key}: {value!r} is not on or off (use 1 or 0)")


def _read_secret(home: Path) -> str | None:
    try:
        return (home / SECRET_KEY_FILE).read_text().strip() or None
    except FileNotFoundError:
        return None
