"""Rate limits on reading: search, the read API and the OAI-PMH feed (Flask-Limiter). I/O: the limiter's storage.

Three budgets, each shared by its routes and counted per client address (the
address ProxyFix gives, so behind `OER_PROXY_HOPS` proxies the visitor's, not
the proxy's), with the values of the settings:

- search (`Settings.rate_limit_search`): the search page, the home page (its
  overview is a search too), the comparison page and the API's search,
  `GET /api/v1/resources`;
- api (`Settings.rate_limit_api`): every other read of the JSON API (writes
  keep their per-token limit, `web.accounts.limits`);
- feed (`Settings.rate_limit_feed`): `/oai`, GET and POST alike (both are
  reads, spec 3.1.1).

Over a budget the answer is 429 with Retry-After: a page on the site, a JSON
error in the API (`web.errors`), a short text from the feed (`web.oai.views`),
which harvesters treat like a 503. Health checks and static files have no limit.
The counters are the account limits' (one limiter per app: in memory, or in
Redis shared by the workers).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from enum import Enum
from typing import Any

from flask import Flask
from flask_limiter import Limiter
from werkzeug.routing import Rule

from oer.settings import Settings
from web.accounts.limits import EXTENSION as LIMITER_EXTENSION


class Budget(Enum):
    SEARCH = "search"
    API = "api"
    FEED = "feed"


# The comparison page searches too (to add a material), and reads up to four materials.
SEARCH_ENDPOINTS = frozenset({"site.index", "site.search", "api.resources", "compare.comparison"})
FEED_ENDPOINTS = frozenset({"oai.endpoint"})
API_PREFIX = "/api/"
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def budget_of(endpoint: str, rules: Iterable[Rule]) -> Budget | None:
    """The budget an endpoint's requests count against; None for an unlimited one."""
    if endpoint in FEED_ENDPOINTS:
        return Budget.FEED
    if endpoint in SEARCH_ENDPOINTS:
        return Budget.SEARCH
    rules = list(rules)
    if rules and all(rule.rule.startswith(API_PREFIX) and (rule.methods or set()) <= READ_METHODS
                     for rule in rules):
        return Budget.API
    return None


def budgets(app: Flask) -> dict[str, Budget]:
    """Every limited endpoint of `app` and its budget."""
    by_endpoint: dict[str, list[Rule]] = {}
    for rule in app.url_map.iter_rules():
        by_endpoint.setdefault(rule.endpoint, []).append(rule)
    found = {endpoint: budget_of(endpoint, rules) for endpoint, rules in by_endpoint.items()}
    return {endpoint: budget for endpoint, budget in found.items() if budget is not None}


def init_app(app: Flask) -> None:
    """Limit the app's reading routes; call it once every blueprint is registered."""
    settings: Settings = app.config["OER_SETTINGS"]
    limiter: Limiter = app.extensions[LIMITER_EXTENSION]
    values = {
        Budget.SEARCH: settings.rate_limit_search,
        Budget.API: settings.rate_limit_api,
        Budget.FEED: settings.rate_limit_feed,
    }
    for endpoint, budget in budgets(app).items():
        limit = limiter.shared_limit(values[budget], scope=budget.value)
        view: Callable[..., Any] = app.view_functions[endpoint]
        app.view_functions[endpoint] = limit(view)
