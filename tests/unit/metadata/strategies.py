"""Hypothesis strategies for normalised Records (fixed points of the normaliser).

A generated record is what the normaliser could have produced: text already
whitespace-normalised, vocabulary values either canonical or genuinely
unknown, known OBK terms with their table label, licences with their
canonical URL, and `title` the text in the main language.
"""

from __future__ import annotations

from datetime import datetime

from hypothesis import strategies as st

from metadata.kerndoelen import kerndoelen
from metadata.licence import licence_table
from metadata.record import Annotation, Contributor, Identifier, Licence, Record, Relation, Term
from metadata.text import choose_main_text, clean_block, clean_line
from metadata.vocabulary import VocabularyName, obk_terms, vocabulary

# Text as XML can carry it (no control characters, no surrogates, no U+FFFE/U+FFFF).
_CHARACTERS = st.characters(
    blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff")
_RAW = st.text(_CHARACTERS, min_size=1, max_size=30)

line = _RAW.map(clean_line).filter(bool)
block = st.lists(_RAW, min_size=1, max_size=4).map(lambda lines: clean_block("\n".join(lines))).filter(bool)
token = st.text("abcdefghijklmnopqrstuvwxyz0123456789-_.", min_size=1, max_size=20)
url = token.map(lambda path: f"https://example.org/{path}")
language = st.sampled_from(["nl", "en", "de", "fr", "x-none", "nl-be"])


def _unknown(name: VocabularyName) -> st.SearchStrategy[str]:
    table = vocabulary(name)
    return line.filter(lambda value: not table.lookup(value)[1])


def vocabulary_value(name: VocabularyName, *, allow_unknown: bool = True) -> st.SearchStrategy[str]:
    known = st.sampled_from(vocabulary(name).values)
    return st.one_of(known, _unknown(name)) if allow_unknown else known


def unique(strategy: st.SearchStrategy[str], max_size: int = 4) -> st.SearchStrategy[tuple[str, ...]]:
    return st.lists(strategy, unique=True, max_size=max_size).map(tuple)


_known_terms = [Term(term.id, term.label) for term in obk_terms().values()]
_unknown_term = st.builds(Term, id=st.uuids().map(str), label=st.one_of(st.none(), line))
terms = st.lists(st.one_of(st.sampled_from(_known_terms), _unknown_term), max_size=4,
                 unique_by=lambda term: term.id.lower()).map(tuple)
# Kerndoelen: SLO's, with the table's label, or unknown ids with the record's own label.
_known_objectives = [kerndoel.as_term() for kerndoel in kerndoelen().values()]
objectives = st.lists(st.one_of(st.sampled_from(_known_objectives), _unknown_term), max_size=4,
                      unique_by=lambda term: term.id.lower()).map(tuple)

_cc = st.sampled_from([Licence(code, url) for code, url in licence_table().urls.items()])
licences = st.one_of(
    st.none(), _cc, st.sampled_from([Licence("yes"), Licence("no")]),
    st.builds(Licence, code=token.filter(lambda v: v not in licence_table().urls and v not in ("yes", "no")
                                        and "cc" not in v)),
)

# Date-times as sources spell them: with or without a fraction and a zone (the IEEE
# binding's pattern wants a fraction before a zone, which its writer adds and its reader removes).
zoned_times = st.tuples(
    st.datetimes(min_value=datetime(1000, 1, 1)),
    st.sampled_from(["", ".0", ".00", ".5", ".120"]),
    st.sampled_from(["Z", "+01:00", "-05:30", ""]),
).map(lambda parts: parts[0].strftime("%Y-%m-%dT%H:%M:%S") + parts[1] + parts[2])

contributors = st.builds(
    Contributor,
    role=st.one_of(st.just(""), vocabulary_value(VocabularyName.CONTRIBUTE_ROLE)),
    name=st.one_of(st.none(), line),
    date=st.one_of(st.none(), st.dates().map(str), zoned_times),
)
annotations = st.builds(
    Annotation,
    name=line,
    role=st.one_of(st.none(), line),
    date=st.one_of(st.none(), st.dates().map(str), zoned_times),
    description=st.one_of(st.none(), line),
)
relations = st.builds(
    Relation,
    kind=st.one_of(st.just(""), vocabulary_value(VocabularyName.RELATION_KIND)),
    target=st.one_of(url, token),
)


@st.composite
def records(draw: st.DrawFn) -> Record:
    languages = draw(unique(language, 3))
    titles = draw(st.dictionaries(language, line, max_size=3))
    return Record(
        title=choose_main_text(titles, languages),
        titles=titles,
        description=draw(st.one_of(st.none(), block)),
        keywords=draw(unique(line)),
        languages=languages,
        identifiers=tuple(draw(st.lists(st.builds(Identifier, catalog=st.one_of(st.just(""), token),
                                                  entry=line), unique=True, max_size=3))),
        location=draw(st.one_of(st.none(), url)),
        formats=draw(unique(st.sampled_from(["text/html", "application/pdf", "image/png", "video/mp4"]))),
        aggregation_level=draw(st.one_of(st.none(), st.integers(1, 4))),
        learning_resource_types=draw(unique(vocabulary_value(VocabularyName.LEARNING_RESOURCE_TYPE))),
        end_user_roles=draw(unique(vocabulary_value(VocabularyName.END_USER_ROLE))),
        contexts=draw(unique(vocabulary_value(VocabularyName.CONTEXT))),
        educational_levels=draw(terms),
        disciplines=draw(terms),
        educational_objectives=draw(objectives),
        typical_age_range=draw(st.one_of(st.none(), line)),
        typical_learning_time=draw(st.one_of(st.none(), st.integers(0, 10**7))),
        cost=draw(st.one_of(st.none(), st.booleans())),
        licence=draw(licences),
        access_rights=draw(st.one_of(st.none(), vocabulary_value(VocabularyName.ACCESS_RIGHTS))),
        contributors=tuple(draw(st.lists(contributors, max_size=4))),
        relations=tuple(draw(st.lists(relations, max_size=3))),
        annotations=tuple(draw(st.lists(annotations, max_size=3))),
    )
