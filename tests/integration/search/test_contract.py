"""The search-backend contract: every test runs against tantivy, Elasticsearch and OpenSearch.

Behaviour that depends on text analysis a backend may lack (Dutch stemming
and accent folding on an Elasticsearch without analysis-common) is asserted
both ways, never skipped: a backend that declares the capability must deliver
it, and one that does not must really lack it (so what it declares is honest).
"""

from __future__ import annotations

import html
from collections import Counter
from datetime import timedelta

import pytest

from metadata.facets import FACET_FIELDS
from oer.discovery.search import SearchRequest, did_you_mean
from oer.search import (
    Capability,
    Match,
    SearchBackend,
    SearchQuery,
    SearchQueryError,
    SearchUnavailableError,
    Sort,
)
from oer.search.query import MAX_RESULT_WINDOW, MIN_SUGGEST_CHARS
from tests.fixtures.search import BASE_TIME, BackendFactory, make_document, times


def ids(backend: SearchBackend, text: str = "", **options: object) -> list[str]:
    result = backend.search(SearchQuery(text=text, size=100, **options))  # type: ignore[arg-type]
    return [hit.id for hit in result.hits]


def declares(backend: SearchBackend, *capabilities: Capability) -> bool:
    return all(capability in backend.capabilities for capability in capabilities)


# -- indexing, counting, deleting -------------------------------------------------------


def test_index_returns_the_count_and_documents_are_searchable_at_once(
    search_backend: SearchBackend,
) -> None:
    written = search_backend.index(
        [make_document("a", "Vulkanen"), make_document("b", "Rivieren")]
    )
    assert written == 2
    assert search_backend.count() == 2
    assert ids(search_backend, "vulkanen") == ["a"]


def test_indexing_an_existing_id_replaces_the_document(search_backend: SearchBackend) -> None:
    search_backend.index([make_document("a", "Vulkanen", contexts="PO")])
    search_backend.index([make_document("a", "Aardbevingen", contexts="VO")])
    assert search_backend.count() == 1
    assert ids(search_backend, "vulkanen") == []
    result = search_backend.search(SearchQuery(text="aardbevingen", facets=("contexts",)))
    assert [hit.document.title for hit in result.hits] == ["Aardbevingen"]
    assert result.facets["contexts"] == {"VO": 1}


def test_delete_removes_documents_and_ignores_unknown_ids(search_backend: SearchBackend) -> None:
    search_backend.index([make_document(i, f"Les {i}") for i in ("a", "b", "c")])
    search_backend.delete(["b", "does-not-exist"])
    assert search_backend.count() == 2
    assert sorted(ids(search_backend)) == ["a", "c"]


def test_stored_document_round_trips(search_backend: SearchBackend) -> None:
    document = make_document(
        "res-1",
        "Breuken vergelijken",
        description="Rekenen met breuken <b>groep 6</b>",
        keywords=["breuken", "rekenen"],
        authors=["Anna de Vries"],
        url="https://maken.wikiwijs.nl/123/breuken",
        updated_at=BASE_TIME + timedelta(microseconds=123_456),
        contexts="PO",
        educational_levels="512e4729-03a4-43a2-95ba-758071d1b725",
        disciplines="b48fa351-4561-44c7-a071-ebfd6103eec3",
        labels={
            "512e4729-03a4-43a2-95ba-758071d1b725": "PO",
            "b48fa351-4561-44c7-a071-ebfd6103eec3": "Rekenen",
        },
        licence="cc-by-sa-40",
        licence_family="open",
        languages="nl",
        source=["wikiwijsmaken", "edurep_delen"],
        aggregation_level="2",
        access_rights="OpenAccess",
        cost="no",
    )
    search_backend.index([document])
    (hit,) = search_backend.search(SearchQuery(text="breuken")).hits
    assert hit.document == document
    assert hit.id == "res-1"


def test_empty_text_matches_every_document(search_backend: SearchBackend) -> None:
    search_backend.index([make_document(str(i), f"Les {i}") for i in range(5)])
    result = search_backend.search(SearchQuery())
    assert result.total == 5
    assert all(hit.score is None for hit in result.hits)


def test_an_empty_index_answers_with_nothing(search_backend: SearchBackend) -> None:
    result = search_backend.search(SearchQuery(text="breuken", facets=FACET_FIELDS))
    assert result.total == 0
    assert result.hits == ()
    assert result.next_search_after is None
    assert all(counts == {} for counts in result.facets.values())
    assert search_backend.count() == 0


# -- Dutch full text -------------------------------------------------------------------


def test_dutch_stemming_finds_plurals(search_backend: SearchBackend) -> None:
    search_backend.index(
        [
            make_document("breuken", "Breuken vergelijken"),
            make_document("rivieren", "De grote rivieren van Nederland"),
            make_document("other", "Vulkanen"),
        ]
    )
    assert ids(search_backend, "rivieren") == ["rivieren"]
    if declares(search_backend, Capability.DUTCH_STEMMING):
        assert ids(search_backend, "breuk") == ["breuken"]
        assert ids(search_backend, "rivier") == ["rivieren"]
    else:
        assert ids(search_backend, "breuk") == []
        assert ids(search_backend, "rivier") == []


def test_accent_folding_matches_either_spelling(search_backend: SearchBackend) -> None:
    search_backend.index(
        [
            make_document("azie", "Landen van Azië"),
            make_document("cafe", "Het cafe om de hoek"),
            make_document("other", "Afrika"),
        ]
    )
    assert ids(search_backend, "azië") == ["azie"]
    if declares(search_backend, Capability.ACCENT_FOLDING):
        assert ids(search_backend, "Azie") == ["azie"]
        assert ids(search_backend, "café") == ["cafe"]
    else:
        assert ids(search_backend, "Azie") == []
        assert ids(search_backend, "café") == []


def test_exact_words_match_on_every_backend(search_backend: SearchBackend) -> None:
    search_backend.index(
        [make_document("a", "Landen van Azië"), make_document("b", "Breuken vergelijken")]
    )
    assert ids(search_backend, "Azië") == ["a"]
    assert ids(search_backend, "BREUKEN") == ["b"]


def test_every_word_must_match_somewhere(search_backend: SearchBackend) -> None:
    search_backend.index(
        [
            make_document("both", "Vulkanen", description="Vulkanen en aardbevingen in Japan"),
            make_document("one", "Vulkanen in IJsland"),
            make_document("keyword", "Japan", keywords=["vulkanen"]),
        ]
    )
    assert sorted(ids(search_backend, "vulkanen japan")) == ["both", "keyword"]


def test_dutch_stop_words_do_not_have_to_match(search_backend: SearchBackend) -> None:
    search_backend.index([make_document("a", "Rivieren van Nederland")])
    if declares(search_backend, Capability.DUTCH_STOP_WORDS):
        assert ids(search_backend, "de rivieren") == ["a"]
        # Only stop words: nothing to search for, so nothing is found.
        assert ids(search_backend, "de het een") == []
    else:
        # Every word must match, and "de" is not in the title.
        assert ids(search_backend, "de rivieren") == []


def test_quoted_phrases_need_the_words_in_order(search_backend: SearchBackend) -> None:
    search_backend.index(
        [
            make_document("phrase", "De Tweede Wereldoorlog in Nederland"),
            make_document("apart", "Wereldoorlog: de tweede golf"),
        ]
    )
    assert sorted(ids(search_backend, "tweede wereldoorlog")) == ["apart", "phrase"]
    assert ids(search_backend, '"tweede wereldoorlog"') == ["phrase"]


def test_a_stop_word_inside_a_phrase_keeps_its_place(search_backend: SearchBackend) -> None:
    search_backend.index(
        [
            make_document("phrase", "Fiets voor kinderen"),
            make_document("apart", "Kinderen en hun fiets"),
            make_document("adjacent", "Fiets kinderen"),
        ]
    )
    assert ids(search_backend, '"fiets voor kinderen"') == ["phrase"]
    assert sorted(ids(search_backend, "fiets voor kinderen")) == ["adjacent", "apart", "phrase"]


def test_a_phrase_keeps_its_stop_words(search_backend: SearchBackend) -> None:
    # The text fields drop stop words; a quoted phrase is matched with them, so "rechts voor"
    # is not "rechts" followed by any stop word (or by nothing, at the end of a title).
    search_backend.index(
        [
            make_document("rule", "Gelijkwaardige kruispunten: rechts voor"),
            make_document("keyword", "Voorrang op kruispunten", keywords=["rechts voor links"]),
            make_document("apart", "Links en rechts: spelletjes voor kleuters"),
            make_document("other", "Rechts van de weg"),
            make_document("end", "Links of rechts"),
        ]
    )
    assert sorted(ids(search_backend, '"rechts voor"')) == ["keyword", "rule"]
    assert sorted(ids(search_backend, '"Rechts  Voor"')) == ["keyword", "rule"]
    assert sorted(ids(search_backend, 'kruispunten -"rechts voor"')) == []
    assert sorted(ids(search_backend, 'links -"rechts voor"')) == ["apart", "end"]
    assert ids(search_backend, '"rechts van de weg"') == ["other"]
    assert ids(search_backend, '"rechts voor de weg"') == []
    # Relaxed, the phrase still holds.
    assert sorted(ids(search_backend, 'kleuters spelletjes "rechts voor"', match=Match.MOST)) == []


def test_excluded_words_and_phrases_must_not_match_in_any_field(
    search_backend: SearchBackend,
) -> None:
    search_backend.index(
        [
            make_document("plain", "Breuken oefenen"),
            make_document("title", "Breuken toets"),
            make_document("keyword", "Breuken", keywords=["toets"]),
            make_document("description", "Breuken", description="Een toets over breuken"),
            make_document("war", "De Tweede Wereldoorlog", description="breuken in de tijd"),
        ]
    )
    assert sorted(ids(search_backend, "breuken -toets")) == ["plain", "war"]
    assert ids(search_backend, 'breuken -"tweede wereldoorlog" -toets') == ["plain"]
    # Only exclusions: everything else, in id order.
    assert ids(search_backend, "-toets -oefenen") == ["war"]
    assert ids(search_backend, "-breuken") == []
    # An excluded stop word excludes nothing; a lone dash is nothing at all.
    assert sorted(ids(search_backend, "breuken -de -")) == sorted(ids(search_backend, "breuken"))


def test_an_excluded_word_is_matched_like_a_searched_one(search_backend: SearchBackend) -> None:
    search_backend.index(
        [make_document("a", "Rivieren van Nederland"), make_document("b", "Vulkanen op IJsland")]
    )
    assert ids(search_backend, "-VULKANEN") == ["a"]
    # A word form excludes what it would find.
    stems = declares(search_backend, Capability.DUTCH_STEMMING)
    assert sorted(ids(search_backend, "-vulkaan")) == (["a"] if stems else ["a", "b"])


@pytest.mark.parametrize(
    ("text", "strict", "relaxed"),
    [
        # Two words: one of them is enough when relaxed.
        ("vulkanen japan", ["both"], ["both", "iceland", "japan"]),
        # Three or more: all but one.
        ("vulkanen japan ijsland", [], ["both", "iceland"]),
        ("vulkanen aardbevingen japan ijsland", [], ["both"]),
        # Stop words do not count: two words that count, so one is enough.
        ("de vulkanen van japan", ["both"], ["both", "iceland", "japan"]),
        # A phrase and an exclusion hold when relaxed too.
        ('"in ijsland" vulkanen japan', [], ["iceland"]),
        ("vulkanen japan -aardbevingen", [], ["iceland", "japan"]),
        # One word: nothing to relax.
        ("ijsland", ["iceland"], ["iceland"]),
    ],
)
def test_most_words_relaxes_all_but_phrases_and_exclusions(
    search_backend: SearchBackend, text: str, strict: list[str], relaxed: list[str]
) -> None:
    search_backend.index(
        [
            make_document("both", "Vulkanen", description="Vulkanen en aardbevingen in Japan"),
            make_document("iceland", "Vulkanen in IJsland"),
            make_document("japan", "Japan"),
        ]
    )
    assert sorted(ids(search_backend, text)) == strict
    assert sorted(ids(search_backend, text, match=Match.MOST)) == relaxed


def test_a_word_or_phrase_of_stop_words_only_matches_nothing(search_backend: SearchBackend) -> None:
    search_backend.index([make_document("a", "Rivieren van Nederland")])
    if declares(search_backend, Capability.DUTCH_STOP_WORDS):
        assert ids(search_backend, '"van de"') == []
        assert ids(search_backend, 'rivieren "van de"') == []
        assert ids(search_backend, "de van", match=Match.MOST) == []
        assert ids(search_backend, '"rivieren van nederland"') == ["a"]


def test_relaxed_results_rank_documents_matching_more_words_first(
    search_backend: SearchBackend,
) -> None:
    search_backend.index(
        [
            make_document("two", "Vulkanen op IJsland"),
            make_document("three", "Vulkanen op IJsland", keywords=["gletsjers"]),
            make_document("other", "Gletsjers in Noorwegen"),
        ]
    )
    found = ids(search_backend, "vulkanen ijsland gletsjers", match=Match.MOST)
    assert found[0] == "three"
    assert sorted(found) == ["three", "two"]


@pytest.mark.parametrize(
    "text",
    [
        "Wiskunde: breuken - deel 2",
        'breuken "groep',
        # "title:breuken" without the space is one word to Elasticsearch's
        # Unicode tokenizer (a colon inside a word does not split it).
        "title: breuken",
        "breuken (groep 6) [werkblad] {x} ~ * ? ! ^ / \\",
        "breuken AND OR NOT",
        # A dash on its own or inside a word is no exclusion; a plus is no operator.
        "breuken - +groep",
        "breuken-groep",
    ],
)
def test_search_text_is_never_query_syntax(search_backend: SearchBackend, text: str) -> None:
    search_backend.index(
        [
            make_document(
                "a",
                "Wiskunde: breuken - deel 2",
                description="Werkblad breuken voor groep 6 (x) title and or not deel",
            ),
            make_document("b", "Vulkanen"),
        ]
    )
    assert ids(search_backend, text) == ["a"]


def test_title_outranks_keywords_which_outrank_description(search_backend: SearchBackend) -> None:
    search_backend.index(
        [
            make_document(
                "description",
                "Aardrijkskunde",
                keywords=["aarde", "bergen"],
                description="Een vulkaan",
            ),
            make_document(
                "title", "Een vulkaan", keywords=["aarde", "bergen"], description="Aardrijkskunde"
            ),
            make_document(
                "keywords", "Aardrijkskunde", keywords=["een vulkaan", "bergen"], description="Aarde"
            ),
        ]
    )
    result = search_backend.search(SearchQuery(text="vulkaan"))
    assert [hit.id for hit in result.hits] == ["title", "keywords", "description"]
    scores = [hit.score for hit in result.hits]
    assert all(isinstance(score, float) for score in scores)
    assert scores == sorted(scores, reverse=True)


def test_highlights_mark_the_matched_words_in_escaped_text(search_backend: SearchBackend) -> None:
    search_backend.index(
        [
            make_document(
                "a",
                "Vulkanen & <aardbevingen>",
                description="Wat gebeurt er als vulkanen uitbarsten? " + "Lava en as. " * 40,
            ),
            make_document("b", "Aardbevingen", description="Geen match hier"),
        ]
    )
    result = search_backend.search(SearchQuery(text="vulkanen", highlight=True))
    (hit,) = result.hits
    (title,) = hit.highlights["title"]
    assert title == "<mark>Vulkanen</mark> &amp; &lt;aardbevingen&gt;"
    (fragment,) = hit.highlights["description"]
    assert "<mark>vulkanen</mark>" in fragment
    assert len(html.unescape(fragment.replace("<mark>", "").replace("</mark>", ""))) <= 260

    plain = search_backend.search(SearchQuery(text="vulkanen"))
    assert plain.hits[0].highlights == {}
    only_title = search_backend.search(SearchQuery(text="aardbevingen", highlight=True))
    by_id = {hit.id: hit.highlights for hit in only_title.hits}
    assert "description" not in by_id["b"]
    assert by_id["b"]["title"] == ("<mark>Aardbevingen</mark>",)


def test_highlights_mark_stemmed_and_folded_forms(search_backend: SearchBackend) -> None:
    search_backend.index([make_document("a", "De rivieren van Azië")])
    if declares(search_backend, Capability.DUTCH_STEMMING, Capability.ACCENT_FOLDING):
        text = "rivier azie"
    else:
        # Without the analysis, the same highlighting holds for the exact forms.
        text = "rivieren Azië"
    (hit,) = search_backend.search(SearchQuery(text=text, highlight=True)).hits
    assert hit.highlights["title"] == ("De <mark>rivieren</mark> van <mark>Azië</mark>",)


# -- suggestions -------------------------------------------------------------------------


@pytest.fixture
def titled(search_backend: SearchBackend) -> SearchBackend:
    search_backend.index(
        [
            make_document("1", "Breuken vergelijken"),
            make_document("2", "Breuken"),
            make_document("3", "Rekenen met breuken en procenten"),
            make_document("4", "De grote rivieren van Azië"),
            make_document("5", "Breuken"),  # the same title twice: suggested once
            make_document("6", "Vulkanen"),
        ]
    )
    return search_backend


def test_suggestions_complete_the_start_of_a_title_first(titled: SearchBackend) -> None:
    texts = [s.text for s in titled.suggest("breu")]
    assert texts[:2] == ["Breuken", "Breuken vergelijken"]
    assert sorted(texts) == ["Breuken", "Breuken vergelijken", "Rekenen met breuken en procenten"]


def test_suggestions_complete_a_word_inside_a_title(titled: SearchBackend) -> None:
    (suggestion,) = titled.suggest("rivi")
    assert suggestion.text == "De grote rivieren van Azië"
    assert suggestion.id == "4"
    assert [s.text for s in titled.suggest("grote riv")] == ["De grote rivieren van Azië"]


def test_suggestions_are_limited_and_empty_for_no_prefix(titled: SearchBackend) -> None:
    assert len(titled.suggest("breu", limit=1)) == 1
    assert titled.suggest("") == ()
    assert titled.suggest("   ") == ()
    assert titled.suggest("xyzzy") == ()


def test_suggestions_ignore_accents(titled: SearchBackend) -> None:
    titled.index([make_document("7", "Één tegen allen")])
    assert [s.text for s in titled.suggest("één teg")] == ["Één tegen allen"]
    if declares(titled, Capability.ACCENT_FOLDING):
        assert [s.text for s in titled.suggest("een teg")] == ["Één tegen allen"]
    else:
        assert [s.text for s in titled.suggest("een teg")] == []


def test_suggestions_need_a_minimum_of_typed_characters(titled: SearchBackend) -> None:
    assert MIN_SUGGEST_CHARS == 2
    assert titled.suggest("b") == ()
    assert titled.suggest("  b ") == ()
    assert [s.text for s in titled.suggest("br")][:2] == ["Breuken", "Breuken vergelijken"]
    assert [s.text for s in titled.suggest("vu")] == ["Vulkanen"]


def test_suggestions_put_titles_starting_with_the_text_before_a_limit(
    titled: SearchBackend,
) -> None:
    # Many more titles with the word inside than the limit: the starts still come first.
    titled.index([make_document(f"r{i}", f"Rekenen met breuken deel {i}") for i in range(30)])
    assert [s.text for s in titled.suggest("breu", limit=2)] == ["Breuken", "Breuken vergelijken"]
    inside = [s.text for s in titled.suggest("breu", limit=5)][2:]
    assert len(inside) == 3
    assert all("breuken" in text for text in inside)


def test_suggestions_are_distinct_ignoring_case(titled: SearchBackend) -> None:
    titled.index([make_document("8", "BREUKEN"), make_document("9", "breuken")])
    texts = [s.text for s in titled.suggest("breu")]
    assert [text.casefold() for text in texts].count("breuken") == 1
    assert len(texts) == 3


def test_a_finished_word_is_matched_whole(titled: SearchBackend) -> None:
    titled.index([make_document("10", "Breukenreeks oefenen")])
    assert "Breukenreeks oefenen" in [s.text for s in titled.suggest("breuk")]
    finished = [s.text for s in titled.suggest("breuken ")]
    assert "Breukenreeks oefenen" not in finished
    assert {"Breuken vergelijken", "Rekenen met breuken en procenten"} <= set(finished)


def test_suggestions_complete_long_prefixes(titled: SearchBackend) -> None:
    # Longer than any indexed title start: answered all the same.
    title = "Rekenen met breuken en procenten voor groep zeven en acht"
    titled.index([make_document("11", title)])
    assert [s.text for s in titled.suggest("rekenen met breuken en procenten voor gr")] == [title]
    assert [s.text for s in titled.suggest("procenten voor groep zev")] == [title]


# -- spelling ("did you mean") ------------------------------------------------------------


@pytest.fixture
def spelled(search_backend: SearchBackend) -> SearchBackend:
    search_backend.index(
        [
            make_document("1", "Breuken vergelijken", keywords=["rekenen"]),
            make_document("2", "Breuken voor groep 5", keywords=["breuken"]),
            make_document("3", "Rekenen met breuken"),
            make_document("4", "Breuk of geheel getal"),
            make_document("5", "Een breukje per dag"),
            make_document("6", "Rivieren", keywords=["aardrijkskunde", "topografie"]),
            make_document(
                "7", "Vulkanen", description="Wat gebeurt er als vulkanen uitbarsten?"
            ),
        ]
    )
    return search_backend


def test_spelling_offers_close_indexed_words_for_a_typo(spelled: SearchBackend) -> None:
    spelling = spelled.spelling("breukn")
    assert spelling.word == "breukn"
    assert not spelling.known
    # Closest first: the one-edit words before the two-edit one.
    assert spelling.candidates[0] == "breuken"
    assert set(spelling.candidates) == {"breuken", "breuk", "breukje"}
    assert spelling.candidates[-1] == "breukje"
    assert spelled.spelling("breukn", limit=1).candidates == ("breuken",)


@pytest.mark.parametrize(
    ("typo", "word"),
    [
        ("aardrijskunde", "aardrijkskunde"),  # a letter left out
        ("aardrijkskuunde", "aardrijkskunde"),  # a letter too many
        ("aadrijksknude", "aardrijkskunde"),  # two edits: one left out, two swapped
        ("topografei", "topografie"),  # swapped neighbours; a keyword only
        ("Vulkanne", "vulkanen"),  # capitals do not matter
        ("rivieern", "rivieren"),
    ],
)
def test_spelling_corrects_typos_in_titles_and_keywords(
    spelled: SearchBackend, typo: str, word: str
) -> None:
    spelling = spelled.spelling(typo)
    assert not spelling.known
    assert spelling.candidates[:1] == (word,)


def test_spelling_leaves_words_the_search_finds_alone(spelled: SearchBackend) -> None:
    for word in ("breuken", "Breuken", "aardrijkskunde", "uitbarsten", "voor"):
        # In a title, a keyword, only a description, or a stop word.
        spelling = spelled.spelling(word)
        assert spelling.known, word
        assert spelling.candidates == ()
    # A plural's stem finds it where the backend stems; otherwise it is just
    # not a word of the index (and five letters allow one edit, not two).
    assert spelled.spelling("vulkaan").known is declares(spelled, Capability.DUTCH_STEMMING)


def test_spelling_offers_nothing_for_gibberish_or_short_words(spelled: SearchBackend) -> None:
    assert spelled.spelling("xqzwvk").candidates == ()
    assert not spelled.spelling("xqzwvk").known
    # Below four letters nothing is corrected ("brek" would be one edit from "breuk").
    assert spelled.spelling("brk").candidates == ()
    assert spelled.spelling("").candidates == ()


def test_did_you_mean_corrects_one_wrong_word_of_two(spelled: SearchBackend) -> None:
    assert did_you_mean(spelled, SearchRequest(text="breukn")) == "breuken"
    assert did_you_mean(spelled, SearchRequest(text="aardrijskunde")) == "aardrijkskunde"
    assert did_you_mean(spelled, SearchRequest(text="breuken vergelijkn")) == "breuken vergelijken"
    assert did_you_mean(spelled, SearchRequest(text="rekenen breukn")) == "rekenen breuken"


def test_did_you_mean_offers_only_corrections_that_find_something(
    spelled: SearchBackend,
) -> None:
    assert did_you_mean(spelled, SearchRequest(text="breuken")) is None
    assert did_you_mean(spelled, SearchRequest(text="xqzwvk")) is None
    # Both words known, they just never occur together: nothing to correct.
    assert did_you_mean(spelled, SearchRequest(text="vulkanen breuken")) is None
    # The correction exists, but not with this filter.
    spelled.index([make_document("8", "Procenten", contexts="PO")])
    assert did_you_mean(spelled, SearchRequest(text="procentn")) == "procenten"
    filtered = SearchRequest(text="procentn", filters={"contexts": ("VO",)})
    assert did_you_mean(spelled, filtered) is None


# -- sorting and paging ------------------------------------------------------------------


def test_sort_by_date_both_ways_with_ties_in_a_stable_order(search_backend: SearchBackend) -> None:
    moments = times(12, distinct=4)
    search_backend.index(
        [
            make_document(f"d{i:02}", f"Les {i}", updated_at=moment)
            for i, moment in enumerate(moments)
        ]
    )
    newest = search_backend.search(SearchQuery(sort=Sort.DATE_DESC, size=12)).hits
    oldest = search_backend.search(SearchQuery(sort=Sort.DATE_ASC, size=12)).hits
    newest_dates = [hit.document.updated_at for hit in newest]
    oldest_dates = [hit.document.updated_at for hit in oldest]
    assert newest_dates == sorted(moments, reverse=True)
    assert oldest_dates == sorted(moments)
    again = search_backend.search(SearchQuery(sort=Sort.DATE_DESC, size=12)).hits
    assert [hit.id for hit in again] == [hit.id for hit in newest]
    assert all(hit.score is None for hit in newest)


@pytest.mark.parametrize("sort", list(Sort))
@pytest.mark.parametrize("text", ["", "les"])
def test_search_after_visits_every_document_exactly_once(
    search_backend: SearchBackend, sort: Sort, text: str
) -> None:
    count = 53
    moments = times(count, distinct=5)
    search_backend.index(
        [
            make_document(
                f"doc-{i:03}",
                # Different lengths give different relevance scores, repeats give ties.
                "Les " + "extra " * (i % 4),
                updated_at=moment,
                contexts="PO" if i % 3 else "VO",
            )
            for i, moment in enumerate(moments)
        ]
    )
    seen: list[str] = []
    query = SearchQuery(text=text, sort=sort, size=7, filters={"contexts": ("PO",)})
    pages = 0
    while True:
        result = search_backend.search(query)
        assert result.total == 35
        seen += [hit.id for hit in result.hits]
        pages += 1
        if result.next_search_after is None:
            break
        query = SearchQuery(
            text=text,
            sort=sort,
            size=7,
            filters={"contexts": ("PO",)},
            search_after=result.next_search_after,
        )
    assert pages == 5
    assert len(seen) == len(set(seen)) == 35
    if sort is Sort.DATE_DESC:
        dates = [d.updated_at for d in _documents(search_backend, seen)]
        assert dates == sorted(dates, reverse=True)

    # Page numbers walk the same order.
    by_page: list[str] = []
    for page in range(1, 6):
        result = search_backend.search(
            SearchQuery(text=text, sort=sort, size=7, page=page, filters={"contexts": ("PO",)})
        )
        by_page += [hit.id for hit in result.hits]
    assert by_page == seen


def _documents(backend: SearchBackend, wanted: list[str]):  # type: ignore[no-untyped-def]
    everything = {hit.id: hit.document for hit in backend.search(SearchQuery(size=1000)).hits}
    return [everything[i] for i in wanted]


def test_a_cursor_only_fits_its_own_order(search_backend: SearchBackend) -> None:
    search_backend.index([make_document(str(i), "Les") for i in range(3)])
    cursor = search_backend.search(SearchQuery(sort=Sort.DATE_DESC, size=1)).next_search_after
    assert cursor is not None
    with pytest.raises(SearchQueryError):
        search_backend.search(SearchQuery(sort=Sort.DATE_ASC, search_after=cursor))
    with pytest.raises(SearchQueryError):
        search_backend.search(SearchQuery(search_after="not-a-cursor"))


def test_page_numbers_stop_at_the_result_window() -> None:
    with pytest.raises(SearchQueryError, match="search_after"):
        SearchQuery(page=MAX_RESULT_WINDOW // 10 + 1, size=10)


# -- filters and facets ------------------------------------------------------------------

FACET_VALUES: dict[str, tuple[str, str, str]] = {
    "contexts": ("PO", "VO", "BVE"),
    "educational_levels": (
        "512e4729-03a4-43a2-95ba-758071d1b725",
        "2a1401e9-c223-493b-9b86-78f6993b1a8d",
        "a3ddbe60-8478-4204-b769-6f5e9f4cbca2",
    ),
    "groep": ("7", "8", "1"),
    "disciplines": (
        "2b363227-8633-4652-ad57-c61f1efc02c8",
        "b48fa351-4561-44c7-a071-ebfd6103eec3",
        "00000000-0000-4000-8000-000000000001",
    ),
    "learning_resource_types": ("informatiebron", "open opdracht", "evaluatie- en toetsmateriaal"),
    "licence": ("cc-by-40", "cc-by-nc-nd-40", "yes"),
    "licence_family": ("open", "non-commercial", "all-rights-reserved"),
    "languages": ("nl", "en", "fy"),
    "source": ("wikiwijsmaken", "edurep_delen", "school-de-regenboog"),
    "aggregation_level": ("1", "2", "3"),
    "access_rights": ("OpenAccess", "RestrictedAccess", "ClosedAccess"),
    "cost": ("no", "yes", "unknown"),
    "educational_objectives": (
        "8cd7169b-ec2b-4b1a-bc35-e2d2ac49e902",
        "b21b715d-d58c-4b48-833d-77e059b37d0d",
        "00000000-0000-4000-8000-000000000002",
    ),
    "quality": ("didactiek.doelen", "toegankelijkheid.ondertiteld", "vakinhoud.juistheid"),
    "quality_detail": ("didactiek.doelen/leraar>=voldoende", "toegankelijkheid.ondertiteld=ja", "vakinhoud.juistheid"),
}


@pytest.mark.parametrize("field", FACET_FIELDS)
def test_filter_and_facet_counts_on_every_field(search_backend: SearchBackend, field: str) -> None:
    first, second, third = FACET_VALUES[field]
    # 3 x first, 2 x second, 1 x first+second (multi-valued), 1 x third, 1 without.
    values = [[first]] * 3 + [[second]] * 2 + [[first, second], [third], []]
    search_backend.index(
        [
            make_document(f"{field}-{i}", "Lesmateriaal", **{field: list(v)})
            for i, v in enumerate(values)
        ]
    )
    result = search_backend.search(SearchQuery(facets=(field,)))
    assert result.total == 8
    assert result.facets == {field: {first: 4, second: 3, third: 1}}
    assert list(result.facets[field]) == [first, second, third]

    assert len(ids(search_backend, filters={field: (first,)})) == 4
    assert len(ids(search_backend, filters={field: (first, third)})) == 5
    assert ids(search_backend, filters={field: ("no-such-value",)}) == []


def test_filters_are_or_within_a_field_and_and_across_fields(
    search_backend: SearchBackend,
) -> None:
    search_backend.index(
        [
            make_document("po-open", "Les", contexts="PO", licence_family="open"),
            make_document("vo-open", "Les", contexts="VO", licence_family="open"),
            make_document("vo-nc", "Les", contexts="VO", licence_family="non-commercial"),
            make_document("bve-open", "Les", contexts="BVE", licence_family="open"),
        ]
    )
    assert sorted(ids(search_backend, filters={"contexts": ("PO", "VO")})) == [
        "po-open",
        "vo-nc",
        "vo-open",
    ]
    assert sorted(
        ids(search_backend, filters={"contexts": ("PO", "VO"), "licence_family": ("open",)})
    ) == ["po-open", "vo-open"]


def test_facets_count_the_documents_matching_text_and_filters(
    search_backend: SearchBackend,
) -> None:
    search_backend.index(
        [
            make_document("1", "Breuken", contexts="PO", languages="nl"),
            make_document("2", "Breuken", contexts=["PO", "SO"], languages="nl"),
            make_document("3", "Breuken", contexts="VO", languages="en"),
            make_document("4", "Vulkanen", contexts="PO", languages="nl"),
        ]
    )
    result = search_backend.search(
        SearchQuery(
            text="breuken",
            filters={"languages": ("nl",)},
            facets=("contexts", "languages"),
        )
    )
    assert result.total == 2
    assert result.facets == {"contexts": {"PO": 2, "SO": 1}, "languages": {"nl": 2}}


def test_facet_limit_keeps_the_most_frequent_values(search_backend: SearchBackend) -> None:
    search_backend.index(
        [make_document(f"{i}", "Les", source=f"bron-{i % 5}") for i in range(5)]
        + [make_document("x1", "Les", source="bron-0"), make_document("x2", "Les", source="bron-0")]
    )
    result = search_backend.search(SearchQuery(facets=("source",), facet_limit=2))
    counts = result.facets["source"]
    assert len(counts) == 2
    assert next(iter(counts.items())) == ("bron-0", 3)


def test_unknown_filter_or_facet_fields_are_refused() -> None:
    with pytest.raises(SearchQueryError, match="unknown search field 'colour'"):
        SearchQuery(filters={"colour": ("red",)})
    with pytest.raises(SearchQueryError):
        SearchQuery(facets=("title",))


# -- rebuild -------------------------------------------------------------------------------


def test_rebuild_replaces_the_index_and_searches_see_the_old_one_until_done(
    backend_factory: BackendFactory,
) -> None:
    backend = backend_factory()
    other_process = backend_factory()
    backend.index([make_document(f"old-{i}", "Oude les") for i in range(3)])

    observed: list[tuple[int, list[str]]] = []

    def new_documents():  # type: ignore[no-untyped-def]
        for i in range(2_500):
            if i == 2_100:
                # Well into the rebuild (two bulk requests already written to
                # Elasticsearch), searches still see the complete old index.
                result = other_process.search(SearchQuery(size=50))
                observed.append((result.total, sorted(hit.id for hit in result.hits)))
                assert other_process.suggest("oud")[0].text == "Oude les"
            yield make_document(f"new-{i}", "Nieuwe les")

    assert backend.rebuild(new_documents()) == 2_500
    assert observed == [(3, ["old-0", "old-1", "old-2"])]
    assert backend.count() == 2_500
    assert ids(backend, "oude") == []
    # Another instance (another process) switches over on its next operation.
    assert other_process.count() == 2_500
    assert other_process.search(SearchQuery(text="nieuwe")).total == 2_500
    # The rebuilt index is a normal one: it takes updates and deletes.
    backend.index([make_document("extra", "Nieuwe les")])
    backend.delete(["new-0"])
    assert other_process.count() == 2_500


def test_a_failed_rebuild_leaves_the_old_index_in_place(backend_factory: BackendFactory) -> None:
    backend = backend_factory()
    backend.index([make_document("old", "Oude les")])

    def broken():  # type: ignore[no-untyped-def]
        yield make_document("new-1", "Nieuwe les")
        raise RuntimeError("the store went away")

    with pytest.raises(RuntimeError):
        backend.rebuild(broken())
    assert backend.count() == 1
    assert ids(backend, "oude") == ["old"]


def test_rebuild_with_nothing_empties_the_index(search_backend: SearchBackend) -> None:
    search_backend.index([make_document("a", "Les")])
    assert search_backend.rebuild([]) == 0
    assert search_backend.count() == 0
    assert search_backend.health().ok


# -- health and outages ----------------------------------------------------------------


def test_health_reports_ok_and_the_document_count(search_backend: SearchBackend) -> None:
    search_backend.index([make_document("a", "Les")])
    health = search_backend.health()
    assert health.ok
    assert health.backend == search_backend.name
    assert health.documents == 1


def test_capabilities_are_declared(search_backend: SearchBackend) -> None:
    capabilities = search_backend.capabilities
    for always in (
        Capability.HIGHLIGHT,
        Capability.SUGGEST,
        Capability.SPELLING,
        Capability.FACETS,
        Capability.SEARCH_AFTER,
        Capability.ATOMIC_REBUILD,
        Capability.DUTCH_STOP_WORDS,
    ):
        assert always in capabilities


def test_an_outage_is_an_error_never_an_empty_result(
    backend_factory: BackendFactory, tcp_proxy, tmp_path  # type: ignore[no-untyped-def]
) -> None:
    if backend_factory.kind == "tantivy":
        directory = tmp_path / "fragile-index"
        backend = backend_factory(directory=directory)
        backend.index([make_document("a", "Les")])

        def break_it() -> None:
            import shutil

            shutil.rmtree(directory)

    else:
        assert backend_factory.url is not None
        proxy = tcp_proxy(backend_factory.url)
        backend = backend_factory(url=proxy.url_for(backend_factory.url))
        backend.index([make_document("a", "Les")])
        break_it = proxy.cut

    assert backend.search(SearchQuery(text="les")).total == 1
    break_it()
    operations = {
        "search": lambda: backend.search(SearchQuery(text="les")),
        "suggest": lambda: backend.suggest("le"),
        "spelling": lambda: backend.spelling("lesen"),
        "count": backend.count,
        "index": lambda: backend.index([make_document("b", "Les")]),
        "delete": lambda: backend.delete(["a"]),
    }
    failures = Counter()
    for name, operation in operations.items():
        with pytest.raises(SearchUnavailableError):
            operation()
        failures[name] += 1
    assert len(failures) == len(operations)
    health = backend.health()
    assert not health.ok
    assert health.detail
