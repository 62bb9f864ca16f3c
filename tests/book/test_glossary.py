"""book/glossary.md against the terms the chapters gloss (see glossary_terms.py for the rules)."""

import re

import pytest
from glossary_terms import (
    BOOK,
    GLOSSARY,
    HANGUL,
    chapter_files,
    extract,
    inconsistencies,
    normalize_english,
    read_glossary,
    sections,
)


@pytest.fixture(scope="module")
def terms():
    return extract()


@pytest.fixture(scope="module")
def glossary():
    return read_glossary()


@pytest.fixture(scope="module")
def entries(glossary):
    return glossary[0]


@pytest.fixture(scope="module")
def by_key(entries):
    return {key: entry for entry in entries for key in entry.keys}


def _where(glosses):
    return ", ".join(f"{g.chapter}.md:{g.line}" for g in glosses)


def test_the_chapters_gloss_terms(terms):
    assert len(terms) > 100
    assert all(g.korean for glosses in terms.values() for g in glosses)


def test_every_glossed_term_has_an_entry(terms, by_key):
    missing = [f"{key} ({', '.join(glosses[0].korean)}; {_where(glosses)})"
               for key, glosses in terms.items() if key not in by_key]
    assert not missing, "terms glossed in the chapters but not in book/glossary.md:\n" + "\n".join(
        missing)


def test_every_entry_is_a_glossed_term(terms, entries):
    stale = [f"{term} (line {entry.line})" for entry in entries
             for term, key in zip(entry.terms, entry.keys, strict=True) if key not in terms]
    assert not stale, "glossary terms that no chapter glosses any more:\n" + "\n".join(stale)


def test_no_term_is_glossed_two_ways(terms):
    found = [f"{key}: {', '.join(a.korean)} ({a.chapter}.md:{a.line}) against "
             f"{', '.join(b.korean)} ({b.chapter}.md:{b.line})"
             for key, a, b in inconsistencies(terms)]
    assert not found, "English terms glossed with different Korean:\n" + "\n".join(found)


def _mentions(text, korean):
    """Whether korean occurs in text as a whole word (not inside a longer Hangul word)."""
    pattern = rf"(?<![\uac00-\ud7a3]){re.escape(korean)}(?![\uac00-\ud7a3])"
    return re.search(pattern, text) is not None


def test_every_korean_gloss_is_in_its_entry(terms, by_key):
    missing = []
    for key, glosses in terms.items():
        entry = by_key.get(key)
        if entry is None:
            continue  # reported by test_every_glossed_term_has_an_entry
        for g in glosses:
            missing += [f"{key}: {korean} ({g.chapter}.md:{g.line}), entry at line {entry.line}"
                        for korean in g.korean if not _mentions(entry.body, korean)]
    assert not missing, "Korean glosses missing from their entries:\n" + "\n".join(
        sorted(set(missing)))


def test_every_entry_gives_the_korean_in_bold(entries):
    assert all(entry.korean for entry in entries), [e.terms for e in entries if not e.korean]
    assert all(entry.body.startswith("**") for entry in entries)


def test_entries_are_in_alphabetical_order(entries):
    keys = [entry.keys[0] for entry in entries]
    assert keys == sorted(keys)
    all_keys = [key for entry in entries for key in entry.keys]
    assert len(all_keys) == len(set(all_keys)), "a term line appears twice"


def test_the_korean_table_is_sorted_and_covers_every_entry(glossary, by_key):
    entries, table = glossary
    korean = [k for k, _ in table]
    assert table, "no Korean → English table"
    assert korean == sorted(korean), "the Korean column is not in 가나다 (code point) order"
    rows = set()
    for k, english in table:
        entry = by_key.get(normalize_english(english))
        assert entry is not None, f"{k} links to {english}, which has no entry"
        assert k in entry.korean, f"{k} is not a Korean term of the entry {english}"
        rows.add((k, entry.terms[0]))
    assert len(rows) == len(table), "a row appears twice"
    expected = {(k, entry.terms[0]) for entry in entries for k in entry.korean}
    assert not expected - rows, f"Korean terms missing from the table: {sorted(expected - rows)}"


def test_every_entry_links_to_a_section_that_exists(entries, by_key):
    docs = {p.stem for p in BOOK.glob("*.md")}
    labels = {s.label for path in chapter_files() for s in sections(path) if s.label}
    bad = []
    for entry in entries:
        links = re.findall(r"\{(doc|ref)\}`([^`]+)`", entry.body)
        if not links:
            bad.append(f"{entry.terms[0]}: no {{doc}} or {{ref}} link")
        for role, target in links:
            if (role == "doc" and target not in docs) or (role == "ref" and target not in labels):
                bad.append(f"{entry.terms[0]}: {{{role}}}`{target}` does not exist")
        for target in re.findall(r"\{term\}`([^`]+)`", entry.body):
            if normalize_english(target) not in by_key:
                bad.append(f"{entry.terms[0]}: {{term}}`{target}` has no entry")
    assert not bad, "\n".join(bad)


def test_the_page_is_plain_myst():
    text = GLOSSARY.read_text(encoding="utf-8")
    assert not text.startswith("---"), "the glossary has no jupytext header"
    assert "{code-cell}" not in text
    assert text.startswith("# Glossary (용어집)\n")
    assert HANGUL.search(text)
