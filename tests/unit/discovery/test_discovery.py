"""The discovery service without the web: request parsing, snippets, licences, did-you-mean."""

from __future__ import annotations

import dataclasses
import html
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from metadata.licence import Condition, Permission, licence_rights
from metadata.record import Licence
from oer.discovery.search import (
    DiscoveryRequestError,
    SearchRequest,
    SortOrder,
    answer,
    did_you_mean,
    parse_search_request,
    search,
    snippet_from_highlight,
    text_of,
)
from oer.search.tantivy_backend import TantivyBackend
from tests.fixtures.search import make_document


def _problems(arguments: dict[str, list[str]], **options: bool) -> set[str]:
    with pytest.raises(DiscoveryRequestError) as caught:
        parse_search_request(arguments, **options)  # type: ignore[arg-type]
    return {problem.parameter for problem in caught.value.problems}


def test_parse_reads_text_filters_sort_and_page() -> None:
    request = parse_search_request(
        {"q": [" breuken "], "contexts": ["PO", "VO", "PO"], "sort": ["newest"], "page": ["2"]},
        strict=False)
    assert request.text == "breuken"
    assert dict(request.filters) == {"contexts": ("PO", "VO")}
    assert request.sort is SortOrder.NEWEST and request.page == 2
    # The API is strict: a repeated or empty value is a mistake worth reporting.
    assert _problems({"contexts": ["PO", "PO"]}, strict=True) == {"contexts"}
    assert _problems({"contexts": [""]}, strict=True) == {"contexts"}


def test_every_problem_is_reported_at_once() -> None:
    assert _problems({"colour": ["x"], "page": ["0"], "sort": ["up"], "q": ["a" * 501]}, strict=True) == {
        "colour", "page", "sort", "q"}


def test_site_ignores_unknown_parameters_api_does_not() -> None:
    assert parse_search_request({"utm_source": ["x"], "q": ["a"]}, strict=False).text == "a"
    assert _problems({"utm_source": ["x"]}, strict=True) == {"utm_source"}


def test_size_and_search_after_only_where_allowed() -> None:
    assert _problems({"page": ["2"], "search_after": ["abc"]}, strict=True, allow_search_after=True) == {
        "search_after"}
    assert _problems({"size": ["101"]}, strict=True, allow_size=True) == {"size"}
    assert parse_search_request({"size": ["5"]}, strict=True, allow_size=True).size == 5
    assert _problems({"size": ["5"]}, strict=True) == {"size"}


def test_page_beyond_the_result_window_is_refused() -> None:
    assert _problems({"page": ["501"]}, strict=False) == {"page"}
    assert parse_search_request({"page": ["500"]}, strict=False).page == 500


def test_parameters_drop_and_add_filters_and_reset_the_page() -> None:
    request = SearchRequest(text="fiets", filters={"contexts": ("PO", "VO")}, page=3,
                            sort=SortOrder.NEWEST)
    assert request.parameters() == [("q", "fiets"), ("contexts", "PO"), ("contexts", "VO"),
                                    ("sort", "newest"), ("page", "3")]
    assert request.parameters(without=("contexts", "PO")) == [("q", "fiets"), ("contexts", "VO"),
                                                              ("sort", "newest")]
    assert request.parameters(with_filter=("languages", "nl"))[-2] == ("languages", "nl")
    assert request.parameters(without_filters=True) == [("q", "fiets"), ("sort", "newest")]
    assert request.parameters(page=4)[-1] == ("page", "4")


def test_snippet_reads_only_mark_as_markup() -> None:
    fragment = "a &lt;b&gt; <mark>fiets</mark> &amp; &lt;script&gt;alert(1)&lt;/script&gt; <mark>x</mark>"
    snippet = snippet_from_highlight(fragment)
    assert [s for s in snippet.segments if s[1]] == [("fiets", True), ("x", True)]
    assert "alert(1)" not in snippet.text  # the source's <script> is not text to show
    assert "<script" not in snippet.to_html() and snippet.to_html().count("<mark>") == 2


def test_snippet_drops_tags_cut_in_two_by_the_fragment() -> None:
    snippet = snippet_from_highlight('c=&quot;x&quot; onerror=&quot;a()&quot;&gt;Oefen <mark>breuken</mark> &lt;a hr')
    assert snippet.text == "Oefen breuken"


@given(st.text(max_size=200))
def test_snippet_html_never_carries_markup_but_mark(text: str) -> None:
    fragment = html.escape(text).replace("q", "<mark>q</mark>")
    rendered = snippet_from_highlight(fragment).to_html()
    stripped = rendered.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in stripped and ">" not in stripped


def test_text_of_reduces_html_and_keeps_paragraphs() -> None:
    assert text_of("<p>Een</p><p>Twee <b>drie</b></p><script>x()</script>") == "Een\n\nTwee drie"
    assert text_of("a < b en c > d") == "a < b en c > d"
    assert text_of(None) == ""


@pytest.mark.parametrize(
    ("code", "share", "adapt", "commercial", "requires", "badge"),
    [
        ("cc-by-40", True, True, True, (Condition.ATTRIBUTION,), "cc-by"),
        ("cc-by-sa-30", True, True, True, (Condition.ATTRIBUTION, Condition.SHARE_ALIKE), "cc-by-sa"),
        ("cc-by-nc-nd-40", True, False, False, (Condition.ATTRIBUTION,), "cc-by-nc-nd"),
        ("cc-by-nc-sa-40", True, True, False, (Condition.ATTRIBUTION, Condition.SHARE_ALIKE), "cc-by-nc-sa"),
        ("cc0-10", True, True, True, (), "cc0"),
        ("pdm-10", True, True, True, (), "pdm"),
        ("no", True, True, True, (), "no-restrictions"),
        ("yes", False, False, False, (), "all-rights-reserved"),
    ],
)
def test_explain_licence(code: str, share: bool, adapt: bool, commercial: bool,
                         requires: tuple[Condition, ...], badge: str) -> None:
    info = licence_rights(Licence(code))
    assert info is not None and info.allows is not None
    assert (info.allows[Permission.SHARE], info.allows[Permission.ADAPT],
            info.allows[Permission.COMMERCIAL]) == (share, adapt, commercial)
    assert info.requires == requires and info.kind == badge


def test_explain_licence_reads_a_cc_url_nl_lom_has_no_code_for() -> None:
    info = licence_rights(Licence("yes", "https://creativecommons.org/licenses/by-nc/2.5/"))
    assert info is not None and info.allows is not None
    assert info.label == "CC BY-NC 2.5" and info.allows[Permission.COMMERCIAL] is False


def test_unknown_licence_allows_nothing_we_can_tell() -> None:
    info = licence_rights(Licence("eigen licentie"))
    assert info is not None and info.allows is None and info.kind == "unknown"
    assert licence_rights(None) is None


@pytest.fixture
def backend(tmp_path: Path) -> TantivyBackend:
    index = TantivyBackend.open(tmp_path / "index")
    index.index([
        make_document("1", "Fotosynthese bij planten", description="Hoe planten licht gebruiken",
                      contexts="VO"),
        make_document("2", "Vulkanen en aardbevingen", contexts="PO"),
        make_document("3", "Breuken vergelijken", contexts="PO"),
    ])
    return index


def test_did_you_mean_corrects_a_typo_that_then_finds_something(backend: TantivyBackend) -> None:
    assert did_you_mean(backend, SearchRequest(text="fotosyntese")) == "fotosynthese"
    assert did_you_mean(backend, SearchRequest(text="vulkanne")) == "vulkanen"
    assert did_you_mean(backend, SearchRequest(text="planten fotosyntese")) == "planten fotosynthese"
    # Every occurrence, written as it was typed, whatever else is in the text.
    assert did_you_mean(backend, SearchRequest(text="Breukne: breukne!")) == "Breuken: breuken!"
    assert did_you_mean(backend, SearchRequest(text="FOTOSYNTESE")) == "FOTOSYNTHESE"


def test_did_you_mean_leaves_words_the_search_already_finds(backend: TantivyBackend) -> None:
    # "vulkaanen" stems like "vulkanen", so the search itself finds the material.
    assert search(backend, SearchRequest(text="vulkaanen")).total == 1
    assert did_you_mean(backend, SearchRequest(text="vulkaanen")) is None
    # Short words and numbers are never corrected.
    assert did_you_mean(backend, SearchRequest(text="fto 2024")) is None


def test_did_you_mean_knows_the_vocabulary_names(backend: TantivyBackend) -> None:
    # "handleiding" is in no title or keyword (the index has nothing close to
    # offer), but it is a material type's name, and a description has it.
    backend.index([make_document("4", "Docentenpagina", description="Een handleiding voor docenten")])
    assert backend.spelling("handleidnig").candidates == ()
    assert did_you_mean(backend, SearchRequest(text="handleidnig")) == "handleiding"


def test_did_you_mean_respects_filters_and_gives_up_honestly(backend: TantivyBackend) -> None:
    # The correction would find only a VO material; with a PO filter it finds nothing.
    assert did_you_mean(backend, SearchRequest(text="fotosyntese", filters={"contexts": ("PO",)})) is None
    assert did_you_mean(backend, SearchRequest(text="xqzwvk")) is None


def test_search_shows_a_corrections_results_when_the_text_found_nothing(
    backend: TantivyBackend,
) -> None:
    page = search(backend, SearchRequest(text="fotosyntese"))
    assert (page.corrected, page.relaxed, page.did_you_mean) == ("fotosynthese", False, None)
    assert [item.id for item in page.items] == ["1"]
    # A typo in one of two words: the corrected words, not one word left out.
    page = search(backend, SearchRequest(text="planten fotosyntese"))
    assert (page.corrected, page.relaxed, page.total) == ("planten fotosynthese", False, 1)
    assert search(backend, SearchRequest(text="fotosynthese")).corrected is None


def test_search_as_typed_only_offers_the_correction(backend: TantivyBackend) -> None:
    request = SearchRequest(text="fotosyntese", no_correction=True)
    page = search(backend, request)
    assert (page.total, page.corrected, page.did_you_mean) == (0, None, "fotosynthese")
    assert ("no_correction", "1") in request.parameters(page=2)
    # A new text is searched with corrections again.
    assert ("no_correction", "1") not in request.parameters(text="breuken")
    assert parse_search_request({"q": ["x"], "no_correction": ["1"]}, strict=True).no_correction
    with pytest.raises(DiscoveryRequestError):
        parse_search_request({"q": ["x"], "no_correction": ["ja"]}, strict=True)


def test_search_falls_back_to_most_words_and_says_so(backend: TantivyBackend) -> None:
    page = search(backend, SearchRequest(text="vulkanen breuken"))
    assert page.relaxed and page.corrected is None and page.did_you_mean is None
    assert sorted(item.id for item in page.items) == ["2", "3"]
    assert page.total == 2
    # Facets count what is shown.
    contexts = page.facet("contexts")
    assert contexts is not None and [(v.value, v.count) for v in contexts.values] == [("PO", 2)]
    # All words match: strict, not relaxed; an exclusion holds when relaxed too.
    assert not search(backend, SearchRequest(text="vulkanen aardbevingen")).relaxed
    page = search(backend, SearchRequest(text="vulkanen breuken -vergelijken"))
    assert page.relaxed and [item.id for item in page.items] == ["2"]


def test_too_few_for_every_word_are_followed_by_most_words(backend: TantivyBackend) -> None:
    backend.index([make_document("4", "Vulkanen in Italië"), make_document("5", "Aardbevingen meten"),
                   make_document("6", "Vulkanen op IJsland")])
    page = search(backend, SearchRequest(text="vulkanen aardbevingen"))
    # One material has both words: it comes first, then those with one of them, and the note says so.
    assert (page.relaxed, page.all_words, page.total) == (True, 1, 4)
    assert page.items[0].id == "2" and sorted(item.id for item in page.items[1:]) == ["4", "5", "6"]
    contexts = page.facet("contexts")
    assert contexts is not None and sum(value.count for value in contexts.values) <= page.total
    # Pages by number cut the same list, the strict hit counted on the first.
    paged = [item.id for number in (1, 2, 3, 4)
             for item in search(backend, SearchRequest(text="vulkanen aardbevingen", page=number,
                                                       size=1)).items]
    assert paged == [item.id for item in page.items]
    # A cursor continues it without repeating the strict hit.
    query = SearchRequest(text="vulkanen aardbevingen", size=2).query(())
    first = answer(backend, query)
    assert first.result.hits[0].id == "2" and first.result.next_search_after
    rest = answer(backend, dataclasses.replace(query, search_after=first.result.next_search_after))
    seen = [hit.id for hit in (*first.result.hits, *rest.result.hits)]
    assert sorted(seen) == ["2", "4", "5", "6"] and rest.all_words == 1
    # Enough for every word (ENOUGH_RESULTS), or nothing more for most of them: strict alone.
    backend.index([make_document(str(n), f"Vulkanen en aardbevingen {n}") for n in (7, 8)])
    page = search(backend, SearchRequest(text="vulkanen aardbevingen"))
    assert (page.relaxed, page.all_words, page.total) == (False, 0, 3)
    assert search(backend, SearchRequest(text="breuken vergelijken")).relaxed is False


def test_search_finds_nothing_when_neither_fallback_does(backend: TantivyBackend) -> None:
    page = search(backend, SearchRequest(text="xqzwvk qqzzyy"))
    assert (page.total, page.relaxed, page.corrected, page.did_you_mean) == (0, False, None, None)
    assert search(backend, SearchRequest(text="breuken -vergelijken")).total == 0


def test_selected_filter_without_matches_stays_removable(backend: TantivyBackend) -> None:
    page = search(backend, SearchRequest(text="vulkanen", filters={"contexts": ("VO",)}))
    assert page.total == 0
    assert [(f.field, v.value, v.count) for f, v in page.selected_filters] == [("contexts", "VO", 0)]
