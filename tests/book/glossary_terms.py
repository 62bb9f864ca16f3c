"""The key terms the chapters gloss in Korean, as `**English term (한국어[, alternative])**`.

Used by test_glossary.py to compare the chapters with book/glossary.md (read_glossary parses
its entries and its Korean -> English table). Nothing here is a test. Run as a script, it prints
every glossed term with its chapter, line and section, then the terms glossed two ways.

What counts as a glossed term
-----------------------------
Bold text in the prose of a chapter (not in code cells, `{math}` blocks, plain code blocks,
inline code or math) whose whole content is an English term followed by one parenthesis that
contains Hangul: `**regularization (규제, 정칙화)**`, or, at a term's first use in a chapter, the
same with the English linked to its entry, `**{term}`regularization` (규제, 정칙화)**`. Line
breaks and indentation inside the bold text are whitespace. Bold text with anything after the
parenthesis (`**It is sparse (희소).**`) is not a term of this form and is left out.

The chapters are the book/*.md files listed in _toc.yml, and every other book/*.md file that
starts with a jupytext header (chapters not yet in the table of contents). Each gloss records its
chapter, its line, the nearest heading above it and the label of the innermost enclosing section
that has one (`(sec-...)=` before its heading), so that a glossary entry can link to it.

Normalization
-------------
English: Unicode NFC, typographic apostrophes as `'`, whitespace collapsed to one space,
lower case. Singular and plural are kept as written (`eigenvalue` and `eigenvalues` are two
terms; the glossary lists both term lines in one entry).

Korean: Unicode NFC, whitespace collapsed to one space. The parenthesis is split into
alternatives at commas, semicolons and slashes (`규제, 정칙화` and `규제 / 정칙화` both give
`("규제", "정칙화")`); an alternative without Hangul (`ReLU`, `SGD`, `L-BFGS`) is an
abbreviation or an English name, not part of the Korean gloss, and is dropped. The remaining
alternatives keep their order (the first is the one the book uses) and their spelling,
spaces included: `고유 벡터` and `고유벡터` are different glosses, since CONTRIBUTING.md's list
prescribes one spelling.
"""

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
BOOK = ROOT / "book"

HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")
_FENCE = re.compile(r"^\s*(`{3,}|~{3,}|:{3,})\s*(.*)$")
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_LABEL = re.compile(r"^\(([^()\s]+)\)=\s*$")
# Fences whose content is not prose: code cells, math, plain or language-tagged code blocks.
_NOT_PROSE = {"{code-cell}", "{math}", "{code-block}", "{code}", "{raw}", "{eval-rst}"}
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*", re.S)
_TERM = re.compile(r"^(?P<en>[^()]+?)\s*\((?P<ko>[^()]*)\)$", re.S)
_INLINE_CODE = re.compile(r"(`+).+?\1", re.S)
# {term}`text <entry>` or {term}`text`: the first use of a term, linked to its glossary entry
_TERM_ROLE = re.compile(r"\{term\}`([^`<]+?)(?:\s*<[^`>]+>)?`")
_INLINE_MATH = re.compile(r"(?<![\\$])\$(?!\$)[^$\n]+?(?<![\\$])\$")


@dataclass(frozen=True)
class Gloss:
    """One bold glossed term in a chapter."""

    english: str  # as written, whitespace collapsed
    korean: tuple[str, ...]  # normalized alternatives, in the order written
    chapter: str  # document name, e.g. "weight_penalties"
    line: int  # 1-based line of the opening **
    heading: str  # the nearest heading before the term ("" before the first one)
    label: str | None  # the innermost enclosing section's label ("sec-bn-why"), if any

    @property
    def key(self):
        return normalize_english(self.english)


def _collapse(text):
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def normalize_english(term):
    """Lower case, one space between words, straight apostrophes; plurals kept as written."""
    return _collapse(term.replace("\u2019", "'").replace("\u2018", "'")).lower()


def normalize_korean(text):
    """The Korean alternatives of a parenthesis, as a tuple (see the module docstring)."""
    parts = (_collapse(p) for p in re.split(r"[,;/\uff0c\u3001]", text))
    return tuple(p for p in parts if p and HANGUL.search(p))


def has_jupytext_header(path):
    head = Path(path).read_text(encoding="utf-8")[:400]
    return head.startswith("---") and "jupytext:" in head


def toc_files(root=ROOT):
    """Paths of the book/*.md files listed in _toc.yml, in book order."""
    toc = yaml.safe_load((Path(root) / "_toc.yml").read_text(encoding="utf-8"))
    entries = [{"file": toc["root"]}]

    def walk(items):
        for item in items:
            entries.append(item)
            walk(item.get("sections", []))

    for part in toc.get("parts", []):
        walk(part.get("chapters", []))
    walk(toc.get("chapters", []))
    files = []
    for item in entries:
        if "file" in item:
            path = Path(root) / (item["file"].removesuffix(".md") + ".md")
            if path.parent == Path(root) / "book" and path.exists():
                files.append(path)
    return files


def chapter_files(root=ROOT):
    """The chapters: files in _toc.yml, then unlisted book/*.md with a jupytext header."""
    files = toc_files(root)
    listed = set(files)
    extra = sorted(p for p in (Path(root) / "book").glob("*.md")
                   if p not in listed and has_jupytext_header(p))
    return files + extra


@dataclass(frozen=True)
class Section:
    """A heading of a chapter (outside code and directives)."""

    line: int
    level: int  # 1 for the chapter title
    title: str
    label: str | None  # its own label, from a `(label)=` line just before it


def _scan(text):
    """Walk a chapter's prose: yield ("section", Section) and ("line", (lineno, line)).

    Lines inside code cells, `{math}` blocks and plain code blocks are skipped; the content
    of other directives (admonitions, exercises, solutions) is prose. Labels are consumed.
    """
    lines = text.split("\n")
    start = 0
    if lines and lines[0].strip() == "---":  # front matter (the jupytext header)
        for i in range(1, len(lines)):
            if lines[i].strip() == "---":
                start = i + 1
                break
    stack = []  # open fences: (char, length, is_prose)
    pending_label = None
    for i in range(start, len(lines)):
        line = lines[i]
        m = _FENCE.match(line)
        if m:
            marks, info = m.group(1), m.group(2).strip()
            if stack and marks[0] == stack[-1][0] and len(marks) >= stack[-1][1] and not info:
                stack.pop()
                continue
            if not stack or stack[-1][2]:
                name = info.split()[0] if info else ""
                is_prose = name.startswith("{") and name not in _NOT_PROSE
                stack.append((marks[0], len(marks), is_prose))
                continue
        if stack and not stack[-1][2]:
            continue
        if not stack:
            lm = _LABEL.match(line)
            if lm:
                pending_label = lm.group(1)
                continue
            hm = _HEADING.match(line)
            if hm:
                yield "section", Section(i + 1, len(hm.group(1)), hm.group(2), pending_label)
                pending_label = None
                continue
            if line.strip():
                pending_label = None
        yield "line", (i + 1, line)


def sections(path):
    """The headings of a chapter file, in order."""
    text = Path(path).read_text(encoding="utf-8")
    return [item for kind, item in _scan(text) if kind == "section"]


def _prose_lines(text):
    """Yield (lineno, line, heading, label) for the prose lines of a chapter.

    heading is the nearest heading above the line; label is the label of the innermost
    enclosing section that has one (its own heading's, or a parent's).
    """
    open_sections = []
    for kind, item in _scan(text):
        if kind == "section":
            open_sections = [s for s in open_sections if s.level < item.level] + [item]
            continue
        heading = open_sections[-1].title if open_sections else ""
        labels = [s.label for s in open_sections if s.label]
        yield item[0], item[1], heading, labels[-1] if labels else None


def _blank_out(match):
    # Keep line breaks so that offsets still map to lines.
    return re.sub(r"[^\n]", " ", match.group(0))


def extract_chapter(path):
    """Every bold glossed term of one chapter file, in the order of the text."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    rows = list(_prose_lines(text))
    # Paragraphs of consecutive prose lines: bold text may span lines but not paragraphs.
    glosses = []
    paragraph = []

    def flush():
        if not paragraph:
            return
        joined = "\n".join(line for _, line, _, _ in paragraph)
        joined = _TERM_ROLE.sub(lambda m: m.group(1), joined)   # a linked first use
        joined = _INLINE_CODE.sub(_blank_out, joined)
        joined = _INLINE_MATH.sub(_blank_out, joined)
        for m in _BOLD.finditer(joined):
            tm = _TERM.match(m.group(1))
            if not tm or not HANGUL.search(tm.group("ko")):
                continue
            korean = normalize_korean(tm.group("ko"))
            english = _collapse(tm.group("en"))
            if not korean or not english or HANGUL.search(english):
                continue
            row = paragraph[joined.count("\n", 0, m.start())]
            glosses.append(Gloss(english, korean, path.stem, row[0], row[2], row[3]))
        paragraph.clear()

    previous = None
    for row in rows:
        lineno, line = row[0], row[1]
        if not line.strip() or (previous is not None and lineno != previous + 1):
            flush()
        if line.strip():
            paragraph.append(row)
        previous = lineno
    flush()
    return glosses


def extract(root=ROOT):
    """{normalized English term: [Gloss, ...]} over all chapters, in book order."""
    terms = {}
    for path in chapter_files(root):
        for gloss in extract_chapter(path):
            terms.setdefault(gloss.key, []).append(gloss)
    return terms


def inconsistencies(terms):
    """[(term, gloss a, gloss b)] for each term glossed two different ways."""
    found = []
    for key, glosses in terms.items():
        first = {}
        for g in glosses:
            first.setdefault(g.korean, g)
        variants = list(first.values())
        found += [(key, variants[0], other) for other in variants[1:]]
    return found


GLOSSARY = BOOK / "glossary.md"
KOREAN_TABLE_HEADING = "한국어 → English"


@dataclass(frozen=True)
class Entry:
    """One entry of the {glossary} directive of book/glossary.md."""

    terms: tuple[str, ...]  # its term lines, as written
    body: str  # its definition, lines joined by spaces
    line: int  # 1-based line of its first term

    @property
    def keys(self):
        return tuple(normalize_english(t) for t in self.terms)

    @property
    def korean(self):
        """The bold Korean terms of the body, in order."""
        return tuple(_collapse(b) for b in re.findall(r"\*\*(.+?)\*\*", self.body)
                     if HANGUL.search(b))


def read_glossary(path=GLOSSARY):
    """(entries, table): the glossary's entries, and its Korean table as (Korean, English) rows.

    The English cell of a row is the text of its {term} link.
    """
    lines = Path(path).read_text(encoding="utf-8").split("\n")
    start = next(i for i, ln in enumerate(lines) if ln.strip().startswith("```{glossary}"))
    end = next(i for i in range(start + 1, len(lines)) if lines[i].strip() == "```")
    entries, terms, body, first = [], [], [], None

    def close():
        if terms:
            entries.append(Entry(tuple(terms), _collapse(" ".join(body)), first))

    for i in range(start + 1, end):
        ln = lines[i]
        if not ln.strip() or ln.lstrip().startswith(":"):
            continue
        if ln[0].isspace():
            body.append(ln.strip())
            continue
        if body:
            close()
            terms, body = [], []
        if not terms:
            first = i + 1
        terms.append(ln.strip())
    close()
    heading = next(i for i, ln in enumerate(lines)
                   if ln.startswith("#") and ln.lstrip("#").strip() == KOREAN_TABLE_HEADING)
    table = []
    for ln in lines[heading + 1:]:
        if ln.startswith("#"):
            break
        cells = [c.strip() for c in ln.strip().strip("|").split("|")] if ln.startswith("|") else []
        if len(cells) != 2 or set(cells[1]) <= set("-: ") or cells[0] == "한국어":
            continue
        m = re.fullmatch(r"\{term\}`([^`<]+?)(?:\s*<([^`>]+)>)?`", cells[1])
        table.append((_collapse(cells[0]), (m.group(2) or m.group(1)) if m else cells[1]))
    return entries, table


if __name__ == "__main__":
    all_terms = extract()
    for key, glosses in sorted(all_terms.items()):
        for g in glosses:
            where = g.label or g.heading
            print(f"{key} | {', '.join(g.korean)} | {g.chapter}:{g.line} | {where}")
    for key, a, b in inconsistencies(all_terms):
        print(f"INCONSISTENT {key}: {a.korean} ({a.chapter}:{a.line}) vs "
              f"{b.korean} ({b.chapter}:{b.line})")
