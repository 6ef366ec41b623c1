"""Turn repaired text into typed segments: title, lead, question, answer, key points, closing.

After repair every non-empty line is one paragraph. The rules, in order:

* Date: the first date stated in the title, source line or first paragraph;
  else the container's date (a Telegram message's, a CSV row's).
* Title: the first paragraph when it reads like a heading (no sentence end,
  at most 250 characters) and more text follows; a leading emoji marker is
  left out of the segment. The next short line that gives a date or a source
  ("(March 21, 2025) Read in full") is the source line: metadata, not a segment.
* Speaker tags open a turn: `💬 Sergey Lavrov:`, `LAVROV:`, `С.В.Лавров:`. A
  question label (`❓ Question:`, `Вопрос:`, `Q:` …) opens the interviewer's turn.
  In a document with questions, turns before the first question are the lead and
  turns after it are answers; without questions a tagged turn is a paragraph.
* An unlabelled paragraph continues the current turn, with its speaker and kind.
  After a question it is the answer of the last named speaker.
* A "Key points:" label opens a list; its bullets are key points of the last named speaker.
* A final paragraph opened by an emoji marker that is not a speaker tag is the closing.
* Square-bracketed insertions (`[in 1994]`) are editorial, not the speaker's words.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from rhetorscope.dates import find_date
from rhetorscope.model import Document, DocumentMetadata, Editorial, Segment, SegmentKind
from rhetorscope.repair import BULLETS, MARKER_EMOJI, UPPER, repair
from rhetorscope.work import Work, document_id

INTERVIEWER = "Interviewer"
QUESTION_LABELS = {
    "question", "q", "journalist", "interviewer", "host", "moderator", "correspondent",
    "вопрос", "журналист", "корреспондент", "ведущий",
    "question du journaliste", "journaliste", "frage", "journalistin", "moderatorin",
    "domanda", "giornalista", "pytanie", "dziennikarz", "prowadzący",
}
ANSWER_LABELS = {"answer", "a", "ответ", "réponse", "antwort", "risposta", "odpowiedź"}
KEY_POINT_LABELS = re.compile(
    r"^(key points|main points|key takeaways|highlights|ключевые моменты|основные тезисы|главное|тезисы|"
    r"points clés|l'essentiel|kernpunkte|das wichtigste|punti chiave|najważniejsze|kluczowe punkty)\s*:?\s*$",
    re.IGNORECASE,
)
_MARKER = rf"[{MARKER_EMOJI}]\ufe0f?[ \t]*"
_NAME_WORD = rf"(?:[{UPPER}][\w'’\-]*\.?|(?:[{UPPER}]\.\s?)+[{UPPER}][\w'’\-]+)"
_TAG = re.compile(
    rf"^(?P<marker>{_MARKER})?(?P<label>{_NAME_WORD}(?:[ \t]+(?:{_NAME_WORD}|de|von|van|di|da|la|le)){{0,4}})"
    rf"[ \t]*(?:\([^)\n]{{1,40}}\))?[ \t]*:[ \t]+"
)
_BULLET = re.compile(rf"^[{BULLETS}][ \t]*|^[-*–][ \t]+")
_LEADING_MARKER = re.compile(rf"^{_MARKER}")
_EDITORIAL = re.compile(r"\[[^\[\]\n]*[^\W\d_][^\[\]\n]*\]")
_SOURCE_HINT = re.compile(r"read in full|source:|источник|читать полностью|lire la suite|quelle:|fonte:|źródło:",
                          re.IGNORECASE)


@dataclass
class _Paragraph:
    start: int
    end: int

    def text(self, doc: str) -> str:
        return doc[self.start:self.end]


class RepairComponent:
    """Repair copy-paste damage; later stages see only the repaired text."""

    name = "repair"

    def __call__(self, work: Work) -> None:
        repaired = repair(work.raw.text, unwrap_lines=work.raw.hard_wraps)
        work.text, work.offsets, work.repairs = repaired.text, repaired.offsets, repaired.repairs


def _paragraphs(text: str) -> list[_Paragraph]:
    out = []
    pos = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            start = pos + len(line) - len(line.lstrip())
            out.append(_Paragraph(start, start + len(stripped)))
        pos += len(line) + 1
    return out


def _is_heading(text: str) -> bool:
    body = text.rstrip("\"'”’»)] ")
    return len(text) <= 250 and bool(body) and body[-1] not in ".!?…:;" and not _TAG.match(text)


def _is_name(label: str, marked: bool, occurrences: int) -> bool:
    """A speaker tag, not a sentence that happens to start `Word: …`.

    Emoji-marked tags, initials (`С.В.Лавров`), all-caps names and multi-word
    capitalised names count; a single ordinary word only when it opens turns
    more than once.
    """
    words = label.split()
    return marked or "." in label or (label.isupper() and len(label) > 2) or len(words) >= 2 or occurrences >= 2


def _speaker_label(label: str) -> str:
    """`LAVROV` -> `Lavrov`; names already in mixed case are kept."""
    return label.title() if label.isupper() and len(label) > 3 else label


class StructureComponent:
    """Split the repaired text into typed segments with resolved speakers."""

    name = "structure"

    def __call__(self, work: Work) -> None:
        text = work.text
        paragraphs = _paragraphs(text)
        meta = DocumentMetadata(input_format=work.raw.input_format, encoding=work.raw.encoding,
                                source=work.raw.source, external_id=work.raw.external_id,
                                title=work.raw.title, date=work.raw.date, extra=dict(work.raw.extra))
        segments: list[Segment] = []

        def add(kind: SegmentKind, start: int, end: int, speaker: str | None) -> None:
            seg_text = text[start:end]
            editorial = [Editorial(start=start + m.start(), end=start + m.end(), text=m.group())
                         for m in _EDITORIAL.finditer(seg_text)]
            segments.append(Segment(
                id=f"s{len(segments) + 1}", kind=kind, speaker=speaker, text=seg_text, start=start, end=end,
                original_start=work.offsets.to_original(start), original_end=work.offsets.to_original(end),
                editorial=editorial,
            ))

        i = 0
        first = paragraphs[0].text(text) if paragraphs else ""
        if len(paragraphs) > 1 and (_is_heading(first) or (meta.title and first == meta.title)):
            p = paragraphs[0]
            marker = _LEADING_MARKER.match(first)
            add(SegmentKind.title, p.start + (marker.end() if marker else 0), p.end, None)
            meta.title = segments[-1].text
            i = 1
            if i < len(paragraphs) - 1:
                line = paragraphs[i].text(text)
                if len(line) <= 160 and (find_date(line) or _SOURCE_HINT.search(line)) and not _TAG.match(line):
                    meta.source_line = line
                    i += 1
        header = " ".join(p.text(text) for p in paragraphs[: i + 2])
        if found := find_date(header):
            meta.date = found[0]  # the statement's own date; a post's publication time stays in `extra`

        body = paragraphs[i:]
        has_questions = any(self._question_label(p.text(text)) for p in body)
        recurring = Counter(m["label"].strip() for p in body if (m := _TAG.match(p.text(text))))
        speaker: str | None = None  # the speaker of the current turn
        named: str | None = None  # the last named (non-interviewer) speaker
        kind = SegmentKind.paragraph
        seen_question = in_key_points = False
        for n, p in enumerate(body):
            line = p.text(text)
            start = p.start
            tag = _TAG.match(line)
            label = tag["label"].strip() if tag else ""
            if KEY_POINT_LABELS.match(line):
                in_key_points = True
                continue
            bullet = _BULLET.match(line)
            if in_key_points and bullet:
                add(SegmentKind.key_point, start + bullet.end(), p.end, named)
                continue
            in_key_points = False
            if tag and label.lower() in QUESTION_LABELS:
                seen_question = True
                speaker, kind = INTERVIEWER, SegmentKind.question
                start += tag.end()
            elif tag and label.lower() in ANSWER_LABELS:
                speaker, kind = named, SegmentKind.answer
                start += tag.end()
            elif tag and _is_name(label, bool(tag["marker"]), recurring[label]):
                speaker = named = _speaker_label(label)
                kind = (SegmentKind.answer if seen_question else SegmentKind.lead) if has_questions \
                    else SegmentKind.paragraph
                start += tag.end()
            elif n == len(body) - 1 and n > 0 and (marker := _LEADING_MARKER.match(line)):
                add(SegmentKind.closing, start + marker.end(), p.end, None)
                continue
            elif kind == SegmentKind.question:
                speaker, kind = named, SegmentKind.answer
            if start < p.end:
                add(kind, start, p.end, speaker)

        work.document = Document(id=document_id(text), metadata=meta, text=text, segments=segments,
                                 repairs=work.repairs)

    @staticmethod
    def _question_label(line: str) -> bool:
        tag = _TAG.match(line)
        return bool(tag) and tag["label"].strip().lower() in QUESTION_LABELS
