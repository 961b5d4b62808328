"""Every GET route with hostile path and query values: never a 5xx. The language switch never redirects off-site.

The routes come from the app's url_map, the query parameter names from the
web package's own reads of `request.args`/`form`/`values`, the search and
facet parameters, and the names other software tends to send. Values are the
ones that break parsers: line breaks, NUL (raw and percent-encoded), invalid
UTF-8 escapes, very long and very large values, negative numbers, paths
with `..`, `javascript:` URLs, PHP-style arrays and repeated parameters.
A deterministic product covers each route with each value; Hypothesis adds
random mixtures of names, values and encodings.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from metadata.facets import FACET_FIELDS
from oer.accounts import service as accounts
from oer.accounts.actor import SYSTEM
from oer.accounts.models import MemberRole, OrganisationKind, PlatformRole
from tests.fixtures.webapp import GENEROUS_LIMIT, WebInstance
from tests.support.account_site import csrf_of, sign_in, submit
from tests.support.accounts import PASSWORD
from web.app import create_app
from web.discovery.views import QUALITY_FORM
from web.runtime import app_runtime

WEB = Path(__file__).resolve().parents[3] / "web"
# A rule's variables: <name>, <converter:name>, <converter(arguments):name>.
_VARIABLE = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
_READS = re.compile(r"""request\.(?:args|form|values)\.get(?:list)?\(\s*["']([^"']+)["']""")

GENERIC_NAMES = (
    "q", "page", "size", "sort", "search_after", "next", "filter", "lang", "format", "ids", "id", "limit",
    "offset", "callback", "redirect", "url", "quality_detail", "v",
    "verb", "identifier", "metadataPrefix", "from", "until", "set", "resumptionToken",
)
# Raw (already percent-encoded) query values: what a client can put on the wire.
HOSTILE_VALUES = (
    "%0d%0aSet-Cookie:%20x=1", "%00", "a%00b", "%ff", "%c3%28", "%ed%a0%80", "%", "%zz", "%2",
    "x" * 8000, "-1", "0", "1.5", "99999999999999999999999999", "1e309", "NaN", "-9223372036854775809",
    "..%2f..%2f..%2fetc%2fpasswd", "../../etc/passwd", "javascript:alert(1)", "%2f%2fevil.example",
    "/%09/evil.example", "%5c%5cevil.example", quote("ü漢字🙂\u202e\ufeff"), quote("<script>alert(1)</script>"),
    quote("'\"><svg onload=alert(1)>"), "+", "%20", "", "[]", "{}", "true", quote("sector:PO"), "*", "%3F%26%3D",
)
# The values tried on each name alone: text that breaks decoders and lines, and numbers out of range.
ONE_BY_ONE_VALUES = ("%0d%0a%00%ff", "99999999999999999999999999")
PATH_VALUES = (
    "does-not-exist", "0", "-1", "99999999999999999999999", "..%2f..%2fsecret", "%00", "%ff", "a%0d%0ab",
    quote("ü漢字🙂"), "x" * 3000, quote("<script>"), "urn:uuid:00000000-0000-0000-0000-000000000000",
    "javascript:alert(1)",
)


def known_names() -> tuple[str, ...]:
    """Every query or form name the web package reads, the search's and the generic ones."""
    read = {name for path in WEB.rglob("*.py") for name in _READS.findall(path.read_text(encoding="utf-8"))}
    return tuple(sorted(read | set(GENERIC_NAMES) | set(FACET_FIELDS) | set(QUALITY_FORM)))


NAMES = known_names()


def get_rules(app: Flask) -> list[Rule]:
    return sorted((rule for rule in app.url_map.iter_rules() if "GET" in (rule.methods or set())),
                  key=lambda rule: rule.rule)


def plausible(rule: Rule, web_instance: WebInstance, known: Mapping[str, str] | None = None) -> dict[str, str]:
    """Values for the rule's variables that reach the view's real work.

    `known` maps a variable name, or "first path segment:name", to a value that exists.
    """
    known = known or {}
    section = rule.rule.split("/")[1]
    values = {}
    for converter, name in _VARIABLE.findall(rule.rule):
        if f"{section}:{name}" in known or name in known:
            values[name] = known.get(f"{section}:{name}") or known[name]
        elif converter in ("int", "float"):
            values[name] = "1"
        elif name == "resource_id":
            values[name] = web_instance.ids["arrangement"]
        elif name == "filename":
            values[name] = "favicon.svg"
        elif name == "name":
            values[name] = "edurep"
        else:
            values[name] = "voorbeeld"
    return values


def path_of(rule: Rule, values: dict[str, str]) -> str:
    """The rule's path with `values` put in as they are (raw: they may hold percent-escapes)."""
    path = rule.rule
    for name, value in values.items():
        path = re.sub(rf"<(?:[^:<>]+:)?{name}>", lambda _match, value=value: value, path)
    return path


def assert_no_server_error(response: TestResponse, what: str) -> None:
    response.close()
    assert response.status_code < 500, f"{what} answered {response.status_code}"


@pytest.fixture(scope="module")
def client(populated_app: Flask) -> Iterator[FlaskClient]:
    # The session's app (rate limits far above what this sends), read only: GET changes nothing.
    yield populated_app.test_client()


def test_the_routes_and_names_are_found(populated_app: Flask) -> None:
    paths = {rule.rule for rule in get_rules(populated_app)}
    assert {"/search", "/oai", "/api/v1/resources", "/resources/<path:resource_id>"} <= paths
    assert {"q", "next", "page", "verb", "lang", "pagina"} <= set(NAMES)


def test_hostile_path_values_on_every_route(populated_app: Flask, client: FlaskClient,
                                            web_instance: WebInstance) -> None:
    for rule in get_rules(populated_app):
        variables = plausible(rule, web_instance)
        for name in variables:
            for value in PATH_VALUES:
                path = path_of(rule, {**variables, name: value})
                assert_no_server_error(client.get(path), f"GET {path[:200]}")


def answers_ok(client: FlaskClient, path: str) -> bool:
    response = client.get(path)
    response.close()
    return response.status_code == 200


def fuzz_queries(app: Flask, client: FlaskClient, web_instance: WebInstance,
                 known: Mapping[str, str] | None = None, covered: Callable[[str], bool] = lambda _path: False,
                 ) -> None:
    """Every route, with every hostile value for every name at once, and for each name alone.

    Paths `covered` says were done already are left out. Names alone only where the route
    answers 200 (not found, or off to the sign-in page, the view reads no parameter).
    """
    for rule in get_rules(app):
        path = path_of(rule, plausible(rule, web_instance, known))
        if covered(path):
            continue
        for value in HOSTILE_VALUES:
            everything = "&".join(f"{name}={value}" for name in NAMES)
            assert_no_server_error(client.get(path, query_string=everything), f"GET {path}?ALL={value[:80]}")
        if not answers_ok(client, path):
            continue
        # Each name alone too: a view may refuse the first bad parameter it meets.
        for name in NAMES:
            for value in ONE_BY_ONE_VALUES:
                query = f"{name}={value}"
                assert_no_server_error(client.get(path, query_string=query), f"GET {path}?{query[:120]}")


@pytest.mark.slow
def test_hostile_query_values_on_every_route(populated_app: Flask, client: FlaskClient,
                                             web_instance: WebInstance) -> None:
    fuzz_queries(populated_app, client, web_instance)


@pytest.fixture(scope="module")
def member_site(web_instance: WebInstance, tmp_path_factory: pytest.TempPathFactory,
                ) -> Iterator[tuple[Flask, FlaskClient, dict[str, str]]]:
    """A copy of the populated site, signed in as a platform beheerder and redactie who runs a school,
    with an arrangement and a collection of the school; the values that name them."""
    home = tmp_path_factory.mktemp("fuzz") / "home"
    shutil.copytree(web_instance.settings.home, home)
    settings = dataclasses.replace(
        web_instance.settings, home=home, database_url=f"sqlite:///{home / 'oer.sqlite3'}",
        rate_limit_search=GENEROUS_LIMIT, rate_limit_api=GENEROUS_LIMIT, rate_limit_feed=GENEROUS_LIMIT)
    app = create_app({"OER_SETTINGS": settings, "TESTING": True})
    with app_runtime(app).sessions.begin() as db:
        bea = accounts.add_user(db, SYSTEM, "bea@school.example.org", "Bea", password=PASSWORD,
                                email_verified=True).id
        for role in (PlatformRole.BEHEERDER, PlatformRole.REDACTIE):
            accounts.grant_role(db, SYSTEM, bea, role)
        school = accounts.add_organisation(db, SYSTEM, "het-lyceum", "Het Lyceum", OrganisationKind.SCHOOL).id
        accounts.add_member(db, SYSTEM, school, bea, MemberRole.BEHEERDER)
    client = app.test_client()
    assert sign_in(client, "bea@school.example.org", PASSWORD).status_code == 302
    made = submit(client, "/arrangementen", {"title": "Fuzz-arrangement", "organisatie": str(school)})
    assert made.status_code == 302, made.status_code
    arrangement = made.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    made = submit(client, "/collecties/nieuw", {"owner": str(school), "slug": "fuzz", "title": "Fuzz"})
    assert made.status_code == 302, made.status_code
    known = {"arrangementen:arrangement_id": arrangement, "arrangement_id": arrangement,
             "organisaties:slug": "het-lyceum", "collecties:slug": "fuzz", "name": "edurep"}
    yield app, client, known
    app.extensions["oer_runtime"].close()


@pytest.mark.slow
def test_hostile_query_values_on_every_route_signed_in(
    member_site: tuple[Flask, FlaskClient, dict[str, str]], web_instance: WebInstance,
) -> None:
    app, client, known = member_site
    # The pages anyone may see had their names one by one in the test above.
    anonymous = app.test_client()
    fuzz_queries(app, client, web_instance, known, covered=lambda path: answers_ok(anonymous, path))


def test_hostile_path_values_on_every_route_signed_in(
    member_site: tuple[Flask, FlaskClient, dict[str, str]], web_instance: WebInstance,
) -> None:
    app, client, known = member_site
    for rule in get_rules(app):
        variables = plausible(rule, web_instance, known)
        for name in variables:
            for value in PATH_VALUES:
                path = path_of(rule, {**variables, name: value})
                assert_no_server_error(client.get(path), f"GET {path[:200]}")


def test_arrays_repeats_and_odd_shapes_on_every_route(populated_app: Flask, client: FlaskClient,
                                                      web_instance: WebInstance) -> None:
    shapes = ["{name}[]=", "{name}[]=1&{name}[]=2", "{name}[0]=x", "{name}=1&{name}=2&{name}=", "{name}",
              "{name}==", "{name}=%ff&{name}=%00", "&&{name}=1&&", "{name}=" + "%2C" * 500]
    for rule in get_rules(populated_app):
        path = path_of(rule, plausible(rule, web_instance))
        for shape in shapes:
            query = "&".join(shape.format(name=name) for name in NAMES)
            assert_no_server_error(client.get(path, query_string=query), f"GET {path}?{shape}")


queries = st.lists(
    st.tuples(
        st.sampled_from(NAMES) | st.text(max_size=12).map(quote),
        st.sampled_from(HOSTILE_VALUES) | st.text(max_size=60).map(quote)
        | st.binary(max_size=30).map(lambda raw: "".join(f"%{byte:02x}" for byte in raw)),
    ),
    max_size=6,
).map(lambda pairs: "&".join(f"{name}={value}" for name, value in pairs))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule_index=st.integers(min_value=0), query=queries)
def test_random_queries_on_random_routes(populated_app: Flask, web_instance: WebInstance, rule_index: int,
                                         query: str) -> None:
    rules = get_rules(populated_app)
    rule = rules[rule_index % len(rules)]
    path = path_of(rule, plausible(rule, web_instance))
    response = populated_app.test_client().get(path, query_string=query)
    assert_no_server_error(response, f"GET {path}?{query}")


@pytest.mark.parametrize("target", [
    "/search\r\nSet-Cookie: x=1", "/\r\n/evil.example", "/\t/evil.example", "//evil.example", "/\\evil.example",
    "https://evil.example/", "javascript:alert(1)", "/%0d%0aLocation:%20https://evil.example", "\x00/",
    "/search?q=breuken", "x" * 5000, "",
])
def test_the_language_switch_never_leaves_the_site(client: FlaskClient, target: str) -> None:
    token = csrf_of(client.get("/").text)
    response = client.post("/language", data={"lang": "en", "next": target, "csrf_token": token})
    assert response.status_code == 303
    location = response.headers["Location"]
    parts = urlsplit(location)
    assert parts.scheme in ("", "http") and parts.netloc in ("", "localhost"), location
    assert location.startswith("/") and not location.startswith("//")
    assert not any(character.isspace() or ord(character) < 32 for character in location), location
    # Paths on this site are kept (percent-escapes are not line breaks); everything else is refused.
    kept = ("/search?q=breuken", "/%0d%0aLocation:%20https://evil.example")
    assert location == (target if target in kept else "/")


def test_the_language_switch_with_hostile_language_and_next_fields(client: FlaskClient) -> None:
    token = csrf_of(client.get("/").text)
    for body in ("lang=%ff&next=%ff", "lang=en%00&next=/%00", "lang[]=en&next[]=/", "next=/&next=//evil.example",
                 f"lang={'e' * 5000}&next=/"):
        response = client.post("/language", data=f"{body}&csrf_token={token}",
                               content_type="application/x-www-form-urlencoded")
        assert response.status_code == 303, body
        assert urlsplit(response.headers["Location"]).netloc in ("", "localhost"), body
