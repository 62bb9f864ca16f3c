"""The appendix "Corrections to the lecture notes", rendered from one registry.

The chapters set the mistakes of the lecture notes apart in admonitions titled "In the lecture
notes", each named (`:name: notes-<chapter>-<short>`). The registry, book/corrections.yml, has
one entry per mistake, pointing at the box that runs the printed and the corrected version
(`box`), and lists under `checked` the boxes that find the notes right.

This extension

- provides the directive `corrections-table`, which renders the registry as a table:
  `:origin: source` (the original material is wrong), `:origin: transcription` (the Korean
  summary, the blog or the text copy introduced the mistake), `:checked:` (boxes that find the
  notes right) or `:sources:` (the sets of notes); every row links to its box with a
  pending_xref, so Sphinx resolves the link and warns when the label is missing, and the link
  is titled with the number and title of the box's chapter; each table is a target,
  `corrections-table-source` (`-transcription`, `-checked`, `-sources`), for `{numref}`;
- collects every "In the lecture notes" box of every document when it is read, and at
  `env-check-consistency` warns (so that `jupyter-book build -W` fails) when a box has no
  `:name:`, when a named box is in no registry entry, when a registry entry names a box that
  no document of the build has, or when an entry lacks a field.

A book without the registry file (a book of one chapter, built for its author) is not checked.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import ClassVar

import yaml
from docutils import nodes
from docutils.parsers.rst import directives
from sphinx import addnodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)

BOX_TITLE = "In the lecture notes"
ORIGINS = ("source", "transcription")
KINDS = ("code", "pseudocode", "formula", "worked example", "terminology", "claim")
REQUIRED = ("id", "box", "notes", "where", "printed", "correct", "origin", "kind")
OPTIONAL = ("also", "note")
CHECKED_REQUIRED = ("box", "notes", "where", "finding")
SOURCE_REQUIRED = ("name", "what", "original", "transcription")
LABEL = re.compile(r"^notes-[a-z0-9]+(?:-[a-z0-9]+)+$")
# An admonition titled "In the lecture notes" in a MyST source, opened by ``` or ::: fences,
# and the option lines (`:class: note`, `:name: ...`) that follow it.
OPENER = re.compile(r"^\s*(`{3,}|:{3,})\{admonition\}\s+(" + re.escape(BOX_TITLE) + r".*?)\s*$")
OPTION = re.compile(r"^\s*:([A-Za-z][\w-]*):\s*(.*?)\s*$")
WARN_TYPE = "notes_corrections"


# ------------------------------------------------------------------------------------------
# The registry and the chapters' sources, read without Sphinx (the tests use these too)


def load_registry(path):
    """The registry as a dict, with `_lines`: the line of each entry, by section and index."""
    text = Path(path).read_text(encoding="utf-8")
    data = yaml.safe_load(text) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping with 'sources', 'corrections', 'checked'")
    lines = {}
    root = yaml.compose(text)
    for key_node, value_node in getattr(root, "value", []):
        if isinstance(value_node, yaml.SequenceNode):
            lines[key_node.value] = [item.start_mark.line + 1 for item in value_node.value]
    data["_lines"] = lines
    return data


def entry_line(registry, section, index):
    lines = registry.get("_lines", {}).get(section, [])
    return lines[index] if index < len(lines) else 1


def referenced_boxes(registry):
    """label -> [(section, index)] of every registry entry that names the box."""
    refs = {}
    for section in ("corrections", "checked"):
        for i, entry in enumerate(registry.get(section) or []):
            labels = [entry.get("box"), *(entry.get("also") or [])]
            for label in labels:
                if isinstance(label, str):
                    refs.setdefault(label, []).append((section, i))
    return refs


def validate_registry(registry):
    """Problems of the registry's form, as (message, section, index); [] when it is sound."""
    problems = []
    sources = registry.get("sources")
    if not isinstance(sources, dict) or not sources:
        problems.append(("'sources' must map a key to each set of lecture notes", None, 0))
        sources = {}
    for key, src in sources.items():
        missing = [f for f in SOURCE_REQUIRED if not isinstance(src, dict) or not src.get(f)]
        if missing:
            problems.append((f"source {key!r} lacks {', '.join(missing)}", None, 0))
    corrections = registry.get("corrections")
    if not isinstance(corrections, list) or not corrections:
        problems.append(("'corrections' must be a non-empty list", None, 0))
        corrections = []
    ids = Counter(e.get("id") for e in corrections if isinstance(e, dict))
    for i, entry in enumerate(corrections):
        if not isinstance(entry, dict):
            problems.append(("an entry of 'corrections' is not a mapping", "corrections", i))
            continue
        name = entry.get("id", f"#{i + 1}")
        missing = [f for f in REQUIRED if not str(entry.get(f) or "").strip()]
        if missing:
            problems.append((f"entry {name!r} lacks {', '.join(missing)}", "corrections", i))
        unknown = sorted(set(entry) - set(REQUIRED) - set(OPTIONAL))
        if unknown:
            problems.append((f"entry {name!r} has unknown fields {unknown}", "corrections", i))
        if ids[entry.get("id")] > 1:
            problems.append((f"id {name!r} is used by {ids[entry.get('id')]} entries",
                             "corrections", i))
        if entry.get("origin") not in ORIGINS:
            problems.append((f"entry {name!r}: origin must be one of {ORIGINS}, got "
                             f"{entry.get('origin')!r}", "corrections", i))
        if entry.get("kind") not in KINDS:
            problems.append((f"entry {name!r}: kind must be one of {KINDS}, got "
                             f"{entry.get('kind')!r}", "corrections", i))
        problems += _check_place(entry, name, sources, "corrections", i)
        also = entry.get("also", [])
        if not isinstance(also, list) or not all(isinstance(a, str) for a in also):
            problems.append((f"entry {name!r}: 'also' must be a list of box labels",
                             "corrections", i))
        for field in ("printed", "correct"):
            if "\n" in str(entry.get(field, "")).strip():
                problems.append((f"entry {name!r}: {field} must be one line", "corrections", i))
    for i, entry in enumerate(registry.get("checked") or []):
        if not isinstance(entry, dict):
            problems.append(("an entry of 'checked' is not a mapping", "checked", i))
            continue
        name = entry.get("box", f"#{i + 1}")
        missing = [f for f in CHECKED_REQUIRED if not str(entry.get(f) or "").strip()]
        if missing:
            problems.append((f"checked box {name!r} lacks {', '.join(missing)}", "checked", i))
        problems += _check_place(entry, name, sources, "checked", i)
    return problems


def _check_place(entry, name, sources, section, i):
    problems = []
    labels = [entry.get("box"), *(entry.get("also") or [])]
    for label in labels:
        if isinstance(label, str) and not LABEL.match(label):
            problems.append((f"entry {name!r}: box label {label!r} is not of the form "
                             "notes-<chapter>-<short>", section, i))
    key = entry.get("notes")
    if key not in sources:
        problems.append((f"entry {name!r}: notes must be one of {sorted(sources)}, got {key!r}",
                         section, i))
    elif not str(entry.get("where", "")).startswith(sources[key].get("name", "")):
        problems.append((f"entry {name!r}: where must start with {sources[key]['name']!r}, "
                         "the name students know the notes by", section, i))
    return problems


def scan_source(text):
    """The "In the lecture notes" boxes of a MyST source: dicts with line, title, name."""
    boxes = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = OPENER.match(line)
        if not m:
            continue
        name = None
        for option in lines[i + 1:]:
            opt = OPTION.match(option)
            if not opt:
                break
            if opt.group(1) == "name":
                name = opt.group(2)
        boxes.append({"line": i + 1, "title": m.group(2), "name": name})
    return boxes


# ------------------------------------------------------------------------------------------
# Collecting the boxes while Sphinx reads


def registry_path(app):
    return Path(app.srcdir) / app.config.notes_corrections_registry


def collect_boxes(app, doctree):
    env = app.env
    found = []
    for node in doctree.findall(nodes.admonition):
        title = node.next_node(nodes.title)
        if title is None or title.parent is not node:
            continue
        text = title.astext()
        if text.startswith(BOX_TITLE):
            found.append({"title": text, "names": list(node.get("names", [])),
                          "line": node.line})
    if not found:
        getattr(env, "notes_boxes", {}).pop(env.docname, None)
        return
    # Docutils does not always know the line in the chapter's file (notebook cells are
    # parsed one by one): take it from the source, box by box, when the counts agree.
    try:
        scanned = scan_source(Path(env.doc2path(env.docname)).read_text(encoding="utf-8"))
    except OSError:
        scanned = []
    if len(scanned) == len(found):
        for box, src in zip(found, scanned, strict=True):
            box["line"] = src["line"]
    if not hasattr(env, "notes_boxes"):
        env.notes_boxes = {}
    env.notes_boxes[env.docname] = found


def purge_boxes(app, env, docname):
    getattr(env, "notes_boxes", {}).pop(docname, None)
    getattr(env, "notes_table_docs", set()).discard(docname)


def merge_boxes(app, env, docnames, other):
    if not hasattr(env, "notes_boxes"):
        env.notes_boxes = {}
    if not hasattr(env, "notes_table_docs"):
        env.notes_table_docs = set()
    for docname in docnames:
        if docname in getattr(other, "notes_boxes", {}):
            env.notes_boxes[docname] = other.notes_boxes[docname]
        if docname in getattr(other, "notes_table_docs", set()):
            env.notes_table_docs.add(docname)


def reread_tables(app, env, added, changed, removed):
    """When any document changes, re-read the pages with a table, so that their links and
    the consistency check see the chapters as they are now."""
    if added or changed or removed:
        return sorted(getattr(env, "notes_table_docs", set()) - set(removed))
    return []


# ------------------------------------------------------------------------------------------
# The consistency check


def check_consistency(app, env):
    path = registry_path(app)
    if not path.is_file():
        logger.info(f"notes_corrections: no registry at {path}; the boxes are not checked")
        return
    rel = path.relative_to(app.srcdir) if path.is_relative_to(app.srcdir) else path
    try:
        registry = load_registry(path)
    except (ValueError, yaml.YAMLError) as exc:
        logger.warning(f"cannot read the registry: {exc}", location=str(path),
                       type=WARN_TYPE, subtype="registry")
        return
    for message, section, index in validate_registry(registry):
        line = entry_line(registry, section, index) if section else 1
        logger.warning(f"{rel}: {message}", location=f"{path}:{line}", type=WARN_TYPE,
                       subtype="registry")

    boxes = {}
    for docname in sorted(getattr(env, "notes_boxes", {})):
        if docname not in env.found_docs:
            continue
        for box in env.notes_boxes[docname]:
            if not box["names"]:
                logger.warning(
                    f"an {BOX_TITLE!r} box in chapter {docname} has no :name: "
                    f"(box {box['title']!r}); add ':name: notes-<chapter>-<short>' and "
                    f"register the box in {rel}",
                    location=(docname, box["line"]), type=WARN_TYPE, subtype="unnamed")
            for name in box["names"]:
                boxes[name] = (docname, box)

    refs = referenced_boxes(registry)
    for name, (docname, box) in sorted(boxes.items()):
        if name not in refs:
            logger.warning(
                f"box {name!r} in chapter {docname} ({box['title']!r}) is in no entry of "
                f"{rel}: add the mistake it shows to 'corrections', or the box to 'checked'",
                location=(docname, box["line"]), type=WARN_TYPE, subtype="unregistered")
    labels = env.domaindata.get("std", {}).get("anonlabels", {})
    for name, where in sorted(refs.items()):
        if name in boxes:
            continue
        section, index = where[0]
        entry = registry[section][index]
        what = f"entry {entry.get('id', name)!r}" if section == "corrections" else "a checked box"
        if name in labels:
            reason = (f"which is a label in chapter {labels[name][0]} but not on an "
                      f"{BOX_TITLE!r} box")
        else:
            reason = "which no chapter of this build has"
        logger.warning(f"{rel}: {what} names box {name!r}, {reason}",
                       location=f"{path}:{entry_line(registry, section, index)}",
                       type=WARN_TYPE, subtype="missing")


# ------------------------------------------------------------------------------------------
# The directive


def _origin(argument):
    return directives.choice(argument, ORIGINS)


class CorrectionsTable(SphinxDirective):
    """Render the registry: `:origin: source|transcription`, `:checked:` or `:sources:`."""

    has_content = False
    option_spec: ClassVar = {
        "origin": _origin, "checked": directives.flag, "sources": directives.flag}

    def run(self):
        chosen = [k for k in ("origin", "checked", "sources") if k in self.options]
        if len(chosen) != 1:
            raise self.error("corrections-table takes exactly one of :origin:, :checked:, "
                             ":sources:")
        path = registry_path(self.env.app)
        self.env.note_dependency(str(path))
        if not hasattr(self.env, "notes_table_docs"):
            self.env.notes_table_docs = set()
        self.env.notes_table_docs.add(self.env.docname)
        try:
            registry = load_registry(path)
        except (OSError, ValueError, yaml.YAMLError) as exc:
            raise self.error(f"cannot read the registry {path}: {exc}") from exc
        self.messages = []
        sources = registry.get("sources") or {}
        order = {key: i for i, key in enumerate(sources)}
        entries = sorted(registry.get("corrections") or [],
                         key=lambda e: order.get(e.get("notes"), len(order)))
        if "sources" in self.options:
            table = self.sources_table(sources, entries)
        elif "checked" in self.options:
            checked = sorted(registry.get("checked") or [],
                             key=lambda e: order.get(e.get("notes"), len(order)))
            table = self.checked_table(checked)
        else:
            origin = self.options["origin"]
            table = self.corrections_table([e for e in entries if e.get("origin") == origin],
                                           origin)
        return [table, *self.messages]

    # cells

    def inline(self, text):
        """A paragraph of MyST (or reST) inline markup: math, code, roles."""
        para = nodes.paragraph()
        children, messages = self.state.inline_text(str(text).strip(), self.lineno)
        para.extend(children)
        self.messages.extend(messages)
        return para

    def box_link(self, label):
        ref = addnodes.pending_xref(
            "", nodes.inline(label, label), refdomain="std", reftype="ref", reftarget=label,
            refexplicit=True, refwarn=True, refdoc=self.env.docname, notes_box=True)
        return ref

    def shown_in(self, entry):
        para = nodes.paragraph()
        if entry.get("box"):
            para += self.box_link(entry["box"])
        for other in entry.get("also") or []:
            para += nodes.Text("; also ")
            para += self.box_link(other)
        return para

    # tables

    def table(self, key, title, headers, widths, rows, classes=()):
        table = nodes.table(classes=["notes-corrections", "colwidths-given", *classes])
        table += nodes.title(title, title)
        # An explicit target, so that {numref}`corrections-table-source` etc. work.
        table["names"].append(f"corrections-table-{key}")
        self.state.document.note_explicit_target(table, table)
        tgroup = nodes.tgroup(cols=len(headers))
        table += tgroup
        for width in widths:
            tgroup += nodes.colspec(colwidth=width)
        head = nodes.thead()
        tgroup += head
        row = nodes.row()
        for header in headers:
            cell = nodes.entry()
            cell += nodes.paragraph(header, header)
            row += cell
        head += row
        body = nodes.tbody()
        tgroup += body
        for cells in rows:
            row = nodes.row()
            for content in cells:
                cell = nodes.entry()
                cell.extend(content if isinstance(content, list) else [content])
                row += cell
            body += row
        return table

    def corrections_table(self, entries, origin):
        rows = []
        for e in entries:
            where = [self.inline(e.get("where", "")), self.kind_and_box(e)]
            correct = [self.inline(e.get("correct", ""))]
            if e.get("note"):
                correct.append(self.note(e["note"]))
            rows.append([where, self.inline(e.get("printed", "")), correct])
        label = {"source": "Errors in the original sources",
                 "transcription": "Errors introduced by the transcriptions"}[origin]
        title = f"{label}: {len(entries)} corrections"
        return self.table(origin, title, ["Where", "Printed", "Correct"], [30, 32, 38], rows)

    def kind_and_box(self, entry):
        """The second line of a row's first cell: the kind of mistake and the link to its box."""
        para = self.shown_in(entry)
        kind = str(entry.get("kind", ""))
        para.insert(0, nodes.Text(f"{kind}; shown in " if kind else "shown in "))
        para["classes"].append("notes-corrections-box")
        return para

    def note(self, text):
        para = self.inline(text)
        para.children = [nodes.emphasis("", "", *para.children)]
        para["classes"].append("notes-corrections-note")
        return para

    def checked_table(self, checked):
        rows = [[[self.inline(e.get("where", "")), self.kind_and_box(e)],
                 self.inline(e.get("finding", ""))] for e in checked]
        title = f"Checked and found right: {len(checked)} boxes"
        return self.table("checked", title, ["Where", "Finding"], [40, 60], rows)

    def sources_table(self, sources, entries):
        counts = Counter((e.get("notes"), e.get("origin")) for e in entries)
        rows = []
        for key, src in sources.items():
            tally = (f"{counts[key, 'source']} in the original, "
                     f"{counts[key, 'transcription']} in the transcription")
            rows.append([[self.inline(src.get("name", key)), nodes.paragraph(tally, tally)],
                         self.inline(src.get("what", "")), self.inline(src.get("original", "")),
                         self.inline(src.get("transcription", ""))])
        title = f"The {len(sources)} sets of lecture notes"
        return self.table("sources", title,
                          ["Notes", "What they are", "Origin: source", "Origin: transcription"],
                          [24, 40, 18, 18], rows)


class BoxLinkTitles(SphinxPostTransform):
    """Give each link to a box the number and title of the chapter the box is in.

    Runs before the references are resolved (priority 10), once every document is read.
    """

    default_priority = 8

    def run(self, **kwargs):
        labels = self.env.domaindata.get("std", {}).get("anonlabels", {})
        for ref in self.document.findall(addnodes.pending_xref):
            if not ref.get("notes_box") or ref["reftarget"] not in labels:
                continue
            docname = labels[ref["reftarget"]][0]
            title = self.env.titles.get(docname)
            if title is None:
                continue
            text = title.astext()
            number = self.env.toc_secnumbers.get(docname, {}).get("")
            if number:
                text = f"{'.'.join(map(str, number))} {text}"
            ref.children = [nodes.inline(text, text)]


def setup(app):
    app.add_config_value("notes_corrections_registry", "book/corrections.yml", "env")
    app.add_directive("corrections-table", CorrectionsTable)
    app.add_post_transform(BoxLinkTitles)
    app.connect("doctree-read", collect_boxes)
    app.connect("env-purge-doc", purge_boxes)
    app.connect("env-merge-info", merge_boxes)
    app.connect("env-get-outdated", reread_tables)
    app.connect("env-check-consistency", check_consistency)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "env_version": 1}
