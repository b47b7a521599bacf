"""A readable diff between two revisions of an article: changed fields and body lines."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Literal

from knowledge_base.corpus import ArticleDoc

LineKind = Literal["equal", "insert", "delete", "gap"]
CONTEXT_LINES = 3
_TOKEN_RE = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)
FIELDS = ("title", "audience", "language", "procedures", "tags")


@dataclass(frozen=True)
class Segment:
    """A piece of a line; `changed` marks the words that differ from the other side."""

    text: str
    changed: bool = False


@dataclass(frozen=True)
class DiffLine:
    """One line of the body diff, with its numbers in the old and the new text."""

    kind: LineKind
    old_number: int | None
    new_number: int | None
    segments: tuple[Segment, ...]

    @property
    def text(self) -> str:
        """The whole line."""
        return "".join(segment.text for segment in self.segments)


@dataclass(frozen=True)
class FieldChange:
    """A metadata field whose value differs between the two revisions."""

    name: str
    old: str
    new: str


@dataclass(frozen=True)
class RevisionDiff:
    """Everything that changed from one revision to another."""

    fields: tuple[FieldChange, ...]
    lines: tuple[DiffLine, ...]

    @property
    def unchanged(self) -> bool:
        """Whether the two revisions are identical."""
        return not self.fields and all(line.kind in ("equal", "gap") for line in self.lines)


_GAP = DiffLine("gap", None, None, (Segment("…"),))


def diff_docs(old: ArticleDoc, new: ArticleDoc, *, context: int = CONTEXT_LINES) -> RevisionDiff:
    """Fields that changed and the body diff between two versions of an article."""
    fields = tuple(
        FieldChange(name, _show(getattr(old, name)), _show(getattr(new, name)))
        for name in FIELDS
        if getattr(old, name) != getattr(new, name)
    )
    return RevisionDiff(fields, tuple(diff_lines(old.body, new.body, context=context)))


def diff_lines(old: str, new: str, *, context: int = CONTEXT_LINES) -> list[DiffLine]:
    """Line diff of two texts with `context` unchanged lines around each change."""
    a, b = old.splitlines(), new.splitlines()
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    lines: list[DiffLine] = []
    groups = list(matcher.get_grouped_opcodes(context))
    for n, group in enumerate(groups):
        if n > 0 or group[0][1] > 0 or group[0][3] > 0:
            lines.append(_GAP)
        for tag, i1, i2, j1, j2 in group:
            lines.extend(_block(tag, a, b, i1, i2, j1, j2))
    if groups and groups[-1][-1][2] < len(a):
        lines.append(_GAP)
    return lines


def _block(
    tag: str, a: list[str], b: list[str], i1: int, i2: int, j1: int, j2: int
) -> list[DiffLine]:
    """The diff lines of one opcode; replaced lines pair up with word highlights."""
    if tag == "equal":
        return [
            DiffLine("equal", i + 1, j + 1, (Segment(a[i]),))
            for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
        ]
    old_rows, new_rows = list(range(i1, i2)), list(range(j1, j2))
    deleted: list[DiffLine] = []
    inserted: list[DiffLine] = []
    for k in range(max(len(old_rows), len(new_rows))):
        i = old_rows[k] if k < len(old_rows) else None
        j = new_rows[k] if k < len(new_rows) else None
        if i is not None and j is not None:
            old_segments, new_segments = _word_segments(a[i], b[j])
        else:
            old_segments = (Segment(a[i], True),) if i is not None else ()
            new_segments = (Segment(b[j], True),) if j is not None else ()
        if i is not None:
            deleted.append(DiffLine("delete", i + 1, None, old_segments))
        if j is not None:
            inserted.append(DiffLine("insert", None, j + 1, new_segments))
    return deleted + inserted


def _word_segments(old: str, new: str) -> tuple[tuple[Segment, ...], tuple[Segment, ...]]:
    """Both sides of a changed line split into unchanged and changed words."""
    a, b = _TOKEN_RE.findall(old), _TOKEN_RE.findall(new)
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    left: list[Segment] = []
    right: list[Segment] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        changed = tag != "equal"
        if i2 > i1:
            left.append(Segment("".join(a[i1:i2]), changed))
        if j2 > j1:
            right.append(Segment("".join(b[j1:j2]), changed))
    return _merge(left), _merge(right)


def _merge(segments: list[Segment]) -> tuple[Segment, ...]:
    """Join neighbours of the same kind; a lone space between two changes is a change."""
    for k in range(1, len(segments) - 1):
        segment = segments[k]
        blank = not segment.changed and not segment.text.strip()
        if blank and segments[k - 1].changed and segments[k + 1].changed:
            segments[k] = Segment(segment.text, True)
    merged: list[Segment] = []
    for segment in segments:
        if merged and merged[-1].changed == segment.changed:
            merged[-1] = Segment(merged[-1].text + segment.text, segment.changed)
        else:
            merged.append(segment)
    return tuple(merged)


def _show(value: object) -> str:
    """A field value as text (lists joined with commas)."""
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value) or "—"
    return str(value)
