"""The registry of the lecture notes' mistakes (book/corrections.yml) and its Sphinx extension.

Fast checks of the registry against the chapters' sources, and one small build of a two-page
book that shows the extension failing the build for an unnamed box, a box missing from the
registry and a registry entry that names no box.
"""

import importlib.util
import re
from collections import Counter

import pytest
from bookutil import ROOT, build, small_book

REGISTRY = ROOT / "book/corrections.yml"
CHAPTERS = sorted(p for p in (ROOT / "book").glob("*.md") if p.name != "corrections.md")

# The boxes of the chapters that carry no `:name:` yet, in the order they appear in each file,
# with the labels the registry gives them.
PENDING = {
    "early_stopping_augmentation.md": ["notes-es-initial-error", "notes-es-crops"],
    "hyperparameter_search.md": ["notes-hp-qmax", "notes-hp-bergstra", "notes-hp-log-spacing",
                                 "notes-hp-printouts"],
    "line_search_cg.md": ["notes-ls-algorithm-5-11"],
    "quasi_newton.md": ["notes-qn-names", "notes-qn-minibatch"],
}


def load_extension():
    spec = importlib.util.spec_from_file_location(
        "notes_corrections", ROOT / "book/_ext/notes_corrections.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


nc = load_extension()


@pytest.fixture(scope="module")
def registry():
    return nc.load_registry(REGISTRY)


@pytest.fixture(scope="module")
def boxes():
    """chapter file name -> its "In the lecture notes" boxes (line, title, name)."""
    return {p.name: nc.scan_source(p.read_text(encoding="utf-8")) for p in CHAPTERS}


def box_labels(boxes):
    """label -> chapter: the named boxes, and the pending chapters' boxes by their labels."""
    labels = {}
    for chapter, found in boxes.items():
        for i, box in enumerate(found):
            name = box["name"]
            if name is None and chapter in PENDING and i < len(PENDING[chapter]):
                name = PENDING[chapter][i]
            if name is not None:
                labels[name] = chapter
    return labels


def test_the_registry_parses_and_is_sound(registry):
    assert nc.validate_registry(registry) == []


def test_every_entry_has_the_fields(registry):
    for entry in registry["corrections"]:
        for field in nc.REQUIRED:
            assert str(entry.get(field) or "").strip(), (entry.get("id"), field)
        assert entry["origin"] in ("source", "transcription"), entry["id"]
        assert entry["kind"] in nc.KINDS, entry["id"]
        assert entry["notes"] in registry["sources"], entry["id"]
        assert entry["where"].startswith(registry["sources"][entry["notes"]]["name"])
        assert "\n" not in entry["printed"].strip()
        assert "\n" not in entry["correct"].strip()
    for entry in registry["checked"]:
        for field in nc.CHECKED_REQUIRED:
            assert str(entry.get(field) or "").strip(), (entry.get("box"), field)


def test_ids_are_unique(registry):
    ids = Counter(e["id"] for e in registry["corrections"])
    assert [i for i, n in ids.items() if n > 1] == []


def test_both_origins_are_represented(registry):
    origins = Counter(e["origin"] for e in registry["corrections"])
    assert origins["source"] > 0
    assert origins["transcription"] > 0


def test_every_registered_box_exists_in_a_chapter(registry, boxes):
    labels = box_labels(boxes)
    referenced = nc.referenced_boxes(registry)
    missing = sorted(label for label in referenced if label not in labels)
    assert missing == [], "the registry names boxes that no chapter has"


def test_every_named_box_is_registered(registry, boxes):
    referenced = nc.referenced_boxes(registry)
    unregistered = sorted((chapter, box["line"], box["name"])
                          for chapter, found in boxes.items() for box in found
                          if box["name"] and box["name"] not in referenced)
    assert unregistered == [], "boxes that the registry lacks"


def test_every_box_outside_the_pending_chapters_is_named(boxes):
    unnamed = [(chapter, box["line"]) for chapter, found in boxes.items()
               if chapter not in PENDING for box in found if not box["name"]]
    assert unnamed == []


def test_the_pending_chapters_match_their_proposed_labels(boxes):
    """A pending chapter has as many boxes as labels proposed for it, and a box that has been
    named since carries the proposed label."""
    for chapter, labels in PENDING.items():
        if chapter not in boxes:
            continue
        found = boxes[chapter]
        assert len(found) == len(labels), (chapter, [b["line"] for b in found])
        for box, label in zip(found, labels, strict=True):
            assert box["name"] in (None, label), (chapter, box["line"], box["name"], label)


def test_box_labels_are_unique_book_wide(boxes):
    names = [box["name"] for found in boxes.values() for box in found if box["name"]]
    assert [n for n, k in Counter(names).items() if k > 1] == []
    others = Counter()
    for page in CHAPTERS:
        text = page.read_text(encoding="utf-8")
        others.update(re.findall(r"^\((notes-[\w-]+)\)=", text, re.M))
        others.update(re.findall(r"^:label:\s*(notes-[\w-]+)", text, re.M))
    assert [n for n in names if n in others] == []


def test_the_labels_follow_the_chapter_prefix(boxes):
    for chapter, found in boxes.items():
        prefixes = {box["name"].split("-")[1] for box in found if box["name"]}
        assert len(prefixes) <= 1, (chapter, prefixes)


def test_glued_numbers_come_from_the_chapters(registry):
    """Every `{glue:text}` `chapter.md::name` in the registry names a value the chapter glues."""
    refs = set()
    for entry in registry["corrections"] + registry["checked"]:
        for value in entry.values():
            refs.update(re.findall(r"\{glue:text\}`([\w./-]+\.md)::(\w+)", str(value)))
    assert refs, "the registry pastes no computed number"
    for doc, key in sorted(refs):
        text = (ROOT / "book" / doc).read_text(encoding="utf-8")
        glued = re.findall(r"""glue\(f?["']([^"']+)["']""", text)
        patterns = [re.escape(g).replace(r"\{", "{").replace(r"\}", "}") for g in glued]
        patterns = [re.sub(r"\{[^}]*\}", r"\\w+", p) for p in patterns]
        assert any(re.fullmatch(p, key) for p in patterns), (doc, key)


def test_the_korean_font_covers_the_registry():
    from fontTools.ttLib import TTFont

    text = REGISTRY.read_text(encoding="utf-8")
    hangul = {c for c in text if "\uac00" <= c <= "\ud7a3" or "\u3130" <= c <= "\u318f"}
    assert hangul
    for weight in ("Regular", "Bold"):
        font = TTFont(ROOT / f"book/_static/fonts/NotoSansKR-{weight}-book.woff")
        missing = sorted(c for c in hangul if ord(c) not in font.getBestCmap())
        assert not missing, f"{weight}: {''.join(missing)} not in the font"


def test_scan_source_reads_names_after_other_options():
    text = ("text\n````{admonition} In the lecture notes\n:class: note\n:name: notes-x-a\n"
            "body\n````\n:::{admonition} In the lecture notes: a title\n:class: note\n\n"
            ":name: notes-x-late\n:::\n```{admonition} Something else\n:name: notes-x-c\n```\n")
    found = nc.scan_source(text)
    assert [(b["line"], b["name"]) for b in found] == [(2, "notes-x-a"), (7, None)]
    assert found[1]["title"] == "In the lecture notes: a title"


def test_validate_registry_names_what_is_wrong():
    registry = {
        "sources": {"s": {"name": "Some notes", "what": "w", "original": "o",
                          "transcription": "t"}},
        "corrections": [
            {"id": "a", "box": "notes-x-a", "notes": "s", "where": "Some notes, here",
             "printed": "p", "correct": "c", "origin": "copy", "kind": "code"},
            {"id": "a", "box": "Notes_X", "notes": "s", "where": "Other notes",
             "printed": "p", "origin": "source", "kind": "sketch", "extra": 1},
        ],
    }
    messages = " | ".join(m for m, _, _ in nc.validate_registry(registry))
    for expected in ("origin must be one of", "lacks correct", "used by 2 entries",
                     "kind must be one of", "unknown fields ['extra']",
                     "is not of the form", "where must start with 'Some notes'"):
        assert expected in messages


BOX = ("```{{admonition}} In the lecture notes\n:class: note\n{name}\n"
       "The notes print {what}.\n```\n\n")


def test_a_box_missing_from_the_registry_fails_the_build(tmp_path):
    book = small_book(tmp_path / "small")
    (book / "_toc.yml").write_text(
        "format: jb-book\nroot: book/chapter\nchapters:\n  - file: book/corrections\n")
    (book / "book/chapter.md").write_text(
        "# A chapter\n\n"
        + BOX.format(name=":name: notes-x-registered", what="a registered slip")
        + BOX.format(name=":name: notes-x-unregistered", what="a slip the registry lacks")
        + BOX.format(name="", what="a slip in a box without a name"),
        encoding="utf-8")
    (book / "book/corrections.md").write_text(
        "# Corrections\n\n```{corrections-table}\n:origin: source\n```\n", encoding="utf-8")
    (book / "book/corrections.yml").write_text(
        "sources:\n"
        "  x:\n    name: X notes\n    what: notes\n    original: X\n    transcription: a copy\n"
        "corrections:\n"
        "  - id: notes-x-registered\n    box: notes-x-registered\n    notes: x\n"
        "    where: 'X notes, a place'\n    printed: '$a + b$'\n    correct: '$a - b$'\n"
        "    origin: source\n    kind: formula\n"
        "  - id: notes-x-ghost\n    box: notes-x-ghost\n    notes: x\n"
        "    where: 'X notes, elsewhere'\n    printed: 'p'\n    correct: 'c'\n"
        "    origin: source\n    kind: claim\n",
        encoding="utf-8")
    result = build(book)
    log = result.stdout + result.stderr
    warnings = [ln for ln in log.splitlines() if "WARNING:" in ln]
    assert result.returncode != 0, log[-3000:]

    def warned(*parts):
        return [w for w in warnings if all(p in w for p in parts)]

    assert warned("chapter.md:", "'notes-x-unregistered'", "in chapter book/chapter",
                  "is in no entry of book/corrections.yml")
    assert warned("chapter.md:", "has no :name:", "in chapter book/chapter")
    assert warned("corrections.yml:", "'notes-x-ghost'", "which no chapter of this build has")
    assert not warned("notes-x-registered"), warnings
    # The table links to the registered box, titled by its chapter, and renders the math.
    html = (book / "_build/html/book/corrections.html").read_text(encoding="utf-8")
    assert re.search(r'href="chapter\.html#notes-x-registered"[^>]*>.*?A chapter', html, re.S)
    assert "Errors in the original sources: 2 corrections" in html
    assert r"\(a - b\)" in html
