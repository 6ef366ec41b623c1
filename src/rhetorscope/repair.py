"""Repair copy-paste damage without changing meaning, and remember where every character came from.

Text copied out of a channel or a web page arrives with glued sentences
(`mistake.Starting with`), hard line wraps inside sentences, bullets stranded
on their own line, non-breaking and zero-width spaces, and decomposed accents.
Each rule below is a separate pass that produces edits on the current text;
`OffsetMap` chains the passes so any offset in the repaired text maps back to
the original. Every edit is also kept as a `Repair` record for auditing.

Line-wrap rule, in short: a line break is removed when the line does not end a
sentence (no terminal punctuation) and the next line does not open a new unit
(bullet, emoji marker, speaker tag). A short heading-like line (no sentence
punctuation, after a paragraph end) is only joined to a next line that is
heading-like too, so titles wrapped over two lines are rejoined while
`Introduction` above a paragraph stays a heading. Text laid out in blank-line
separated blocks of short lines (e-mail style) is unwrapped block by block.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from rhetorscope.model import Repair

LOWER = "a-zà-öø-ÿа-яёąćęłńóśźżßœæ"
UPPER = "A-ZÀ-ÖØ-ÞА-ЯЁĄĆĘŁŃÓŚŹŻŒÆ"
BULLETS = "•●▪◦‣"
#: Emoji that channels use to open a speaker turn, a question or a note.
MARKER_EMOJI = "💬❓❗🎙🗣📌⚡🔹🔸▶✅❌⚠📍📢🇷"
TERMINAL = ".!?…:;"
CLOSERS = "\"'”’»)]›"
_CLOSERS = re.escape(CLOSERS)

_INVISIBLE = re.compile("[\u200b\u2060\ufeff\u00ad]|(?<=\\w)[\u200c\u200d](?=\\w)")
_SPACES = re.compile("[\u00a0\u202f\u2007\u2009\u200a\u2002-\u2006\u2008\u205f\u3000]")
_NEWLINES = re.compile("\r\n?|[\u2028\u2029\x85]")
_WORD = re.compile(r"\S+")
_GLUED_SPEAKER = re.compile(
    rf"(?<=\S)[ \t]*(?=[{MARKER_EMOJI}]\ufe0f?[ \t]*[^\n:{MARKER_EMOJI}]{{1,60}}:)"
)
_BULLET_BREAK = re.compile(rf"(?m)(?:^|(?<=\S))[ \t]*[{BULLETS}][ \t]*\n[ \t]*(?=\S)")
_INLINE_BULLET = re.compile(rf"(?<=[.!?…{_CLOSERS}])[ \t]+[{BULLETS}][ \t]*(?=\S)")
_GLUED_SENTENCE = re.compile(
    rf"(?:(?<=[{LOWER}]{{2}}[.!?])|(?<=[{LOWER}][.!?][\"”»’]))(?=[{UPPER}][{LOWER}])"
)
_GLUED_BRACKET = re.compile(rf"(?<=\))(?=[{UPPER}][{LOWER}])|(?<=\])(?=\w)")
_ANY_BULLET = re.compile(f"[{BULLETS}]")
_SPEAKER_TAG = re.compile(rf"^[{MARKER_EMOJI}]?\ufe0f?\s*[{UPPER}][^\n:]{{0,60}}:\s")
_SENTENCE_END = re.compile(r"[.!?…](?=\s|$)")
_LIST_MARKER = re.compile(rf"^(?:[{BULLETS}\-*#>]|\d{{1,2}}[.)]\s|[{MARKER_EMOJI}])")


@dataclass(frozen=True)
class _Edit:
    new_start: int
    new_end: int
    old_start: int
    old_end: int


@dataclass
class OffsetMap:
    """Maps offsets in the repaired text back to the original, through every pass."""

    layers: list[list[_Edit]] = field(default_factory=list)
    #: Each layer's `new_start`s, kept beside it: every mapped offset bisects them.
    _starts: list[list[int]] = field(default_factory=list)

    def to_original(self, pos: int) -> int:
        for layer, starts in zip(reversed(self.layers), reversed(self._starts), strict=True):
            pos = _back(layer, starts, pos)
        return pos

    def add(self, layer: list[_Edit]) -> None:
        if layer:
            self.layers.append(layer)
            self._starts.append([e.new_start for e in layer])


def _back(layer: list[_Edit], starts: list[int], pos: int) -> int:
    i = bisect.bisect_right(starts, pos) - 1
    if i < 0:
        return pos
    e = layer[i]
    if pos < e.new_end:
        return e.old_start + min(pos - e.new_start, e.old_end - e.old_start)
    return e.old_end + (pos - e.new_end)


@dataclass
class Repaired:
    """Repaired text, its map to the original, and the list of changes made."""

    text: str
    offsets: OffsetMap
    repairs: list[Repair]


Edit = tuple[int, int, str]


def _apply(
    text: str, edits: Iterable[Edit], rule: str, offsets: OffsetMap, original: str, repairs: list[Repair]
) -> str:
    out: list[str] = []
    layer: list[_Edit] = []
    pos = 0
    shift = 0
    for start, end, repl in edits:
        if start < pos or (end == start and not repl) or text[start:end] == repl:
            continue
        out.append(text[pos:start])
        new_start = start + shift
        layer.append(_Edit(new_start, new_start + len(repl), start, end))
        o_start, o_end = offsets.to_original(start), offsets.to_original(end)
        repairs.append(Repair(rule=rule, original_start=o_start, original_end=o_end,
                              original=original[o_start:o_end], replacement=repl))
        out.append(repl)
        shift += len(repl) - (end - start)
        pos = end
    if not layer:
        return text
    out.append(text[pos:])
    offsets.add(layer)
    return "".join(out)


def _regex(pattern: re.Pattern[str], repl: str | Callable[[re.Match[str]], str],
           gate: re.Pattern[str] | None = None) -> Callable[[str], list[Edit]]:
    """A pass that replaces every match of `pattern`.

    `gate` is a plain pattern that any match of `pattern` must contain (the characters it is about): a
    pattern that opens with lookbehinds is tried at every position, and most posts have nothing to repair,
    so testing the gate first made repair about four times cheaper.
    """
    def rule(text: str) -> list[Edit]:
        if gate is not None and gate.search(text) is None:
            return []
        return [(m.start(), m.end(), repl if isinstance(repl, str) else repl(m)) for m in pattern.finditer(text)]

    return rule


def _nfc(text: str) -> list[Edit]:
    if unicodedata.is_normalized("NFC", text):
        return []
    return [
        (m.start(), m.end(), unicodedata.normalize("NFC", m.group()))
        for m in _WORD.finditer(text)
        if not unicodedata.is_normalized("NFC", m.group())
    ]


def _bullet_break(m: re.Match[str]) -> str:
    at_line_start = m.start() == 0 or m.string[m.start() - 1] == "\n"
    return "• " if at_line_start else "\n• "


def _ends_sentence(line: str) -> bool:
    stripped = line.rstrip().rstrip(CLOSERS)
    return not stripped or stripped[-1] in TERMINAL


HEADING_MAX = 200
"""A line longer than this (stripped) is never a heading."""


def _heading_like(line: str) -> bool:
    s = line.strip()
    return bool(s) and len(s) <= HEADING_MAX and not _SENTENCE_END.search(s) and not s[0].islower()


def _continues_heading(line: str) -> bool:
    s = line.strip()
    return _heading_like(s) and s[0].isalpha()


def _opens_unit(line: str) -> bool:
    s = line.lstrip()
    return not s or bool(_LIST_MARKER.match(s) or _SPEAKER_TAG.match(s))


def _is_wrapped_layout(lines: list[str]) -> bool:
    """Blank-line paragraphs made of short lines: every single newline is a wrap."""
    if "" not in (ln.strip() for ln in lines):
        return False
    lengths = sorted(len(ln) for ln in lines if ln.strip())
    multi_line_blocks = sum(
        1 for i in range(1, len(lines)) if lines[i].strip() and lines[i - 1].strip()
    )
    return len(lengths) >= 4 and lengths[int(len(lengths) * 0.9)] <= 100 and multi_line_blocks >= 2


def _is_dateline(line: str) -> bool:
    from rhetorscope.dates import find_date

    return len(line.strip()) <= 60 and find_date(line) is not None


def _line_wraps(text: str) -> list[Edit]:
    lines = text.split("\n")
    wrapped = _is_wrapped_layout(lines)
    edits: list[Edit] = []
    pos = 0
    logical = ""  # the current line with everything already joined to it
    for i, line in enumerate(lines[:-1]):
        nxt = lines[i + 1]
        if not logical:
            logical = line
        elif len(logical.strip()) <= HEADING_MAX:
            # Past the heading length the joined line can only grow, and it is read only to ask whether it
            # is a heading: it stops growing, so a text of 200,000 joined lines costs linear time.
            logical = logical + " " + line
        newline_at = pos + len(line)
        pos = newline_at + 1
        join = False
        if line.strip() and nxt.strip() and not _opens_unit(nxt):
            if _heading_like(logical) and _is_dateline(nxt):
                join = False
            elif wrapped:
                join = True
            elif nxt.lstrip()[0].islower():
                join = True
            elif not _ends_sentence(line):
                join = not _heading_like(logical) or _continues_heading(nxt)
        if join:
            left = len(line) - len(line.rstrip(" \t"))
            right = len(nxt) - len(nxt.lstrip(" \t"))
            edits.append((newline_at - left, newline_at + 1 + right, " "))
        else:
            logical = ""
    return edits


def _bullet_continuations(text: str) -> list[Edit]:
    """A plain line between two bullet items belongs to the item above it."""
    lines = text.split("\n")
    edits: list[Edit] = []
    pos = 0
    for i, line in enumerate(lines[:-2]):
        pos += len(line) + 1
        nxt = lines[i + 1]
        if (
            line.lstrip()[:1] in BULLETS
            and line.strip()
            and nxt.strip()
            and not _opens_unit(nxt)
            and lines[i + 2].lstrip()[:1] in BULLETS
            and lines[i + 2].strip()
        ):
            edits.append((pos - 1, pos, " "))
    return edits


#: The passes, in order. Earlier passes normalise what later ones match on.
RULES: list[tuple[str, Callable[[str], list[Edit]]]] = [
    ("newlines", _regex(_NEWLINES, "\n", re.compile("[\r\u2028\u2029\x85]"))),
    ("invisible_characters", _regex(_INVISIBLE, "", re.compile("[\u200b\u2060\ufeff\u00ad\u200c\u200d]"))),
    ("special_spaces", _regex(_SPACES, " ")),
    ("unicode_nfc", _nfc),
    ("glued_speaker_tag", _regex(_GLUED_SPEAKER, "\n", re.compile(f"[{MARKER_EMOJI}]"))),
    ("stranded_bullet", _regex(_BULLET_BREAK, _bullet_break, _ANY_BULLET)),
    ("inline_bullet", _regex(_INLINE_BULLET, "\n• ", _ANY_BULLET)),
    ("glued_sentence", _regex(_GLUED_SENTENCE, " ", re.compile(f"[.!?][\"”»’]?[{UPPER}]"))),
    ("glued_bracket", _regex(_GLUED_BRACKET, " ", re.compile(r"[)\]]"))),
    ("line_wrap", _line_wraps),
    ("bullet_continuation", _bullet_continuations),
]


def repair(original: str, *, unwrap_lines: bool = True) -> Repaired:
    """Run every repair pass over `original`; `unwrap_lines=False` when line breaks are known to be paragraphs."""
    offsets = OffsetMap()
    repairs: list[Repair] = []
    text = original
    for name, rule in RULES:
        if name == "line_wrap" and not unwrap_lines:
            continue
        text = _apply(text, rule(text), name, offsets, original, repairs)
    return Repaired(text=text, offsets=offsets, repairs=repairs)
