"""Structure rules (title, source line, speakers, key points, closing, editorial) on fixtures and small texts."""

from __future__ import annotations

import datetime as dt

from conftest import FIXTURES
from rhetorscope import analyze
from rhetorscope.pipeline import default_pipeline
from rhetorscope.readers import read_path


def kinds(analysis):
    return [(s.kind, s.speaker) for s in analysis.document.segments]


def test_russian_cp1251_interview():
    (raw,) = read_path(FIXTURES / "interview_ru_cp1251.txt")
    a = default_pipeline()(raw)
    meta = a.document.metadata
    assert meta.title.startswith("Интервью Министра иностранных дел") and meta.title.endswith("«ТАСС»")
    assert meta.date == dt.date(2025, 2, 14) and meta.language == "ru" and meta.encoding == "cp1251"
    assert kinds(a) == [
        ("title", None), ("question", "Interviewer"), ("answer", "С.В.Лавров"), ("answer", "С.В.Лавров"),
        ("question", "Interviewer"), ("answer", "С.В.Лавров"), ("answer", "С.В.Лавров"),
        ("key_point", "С.В.Лавров"), ("key_point", "С.В.Лавров"),
    ]
    assert [e.text for s in a.document.segments for e in s.editorial] == ["[с ЕС]"]
    answer = a.document.segments[2]
    assert answer.text.startswith("Отношения находятся")  # the tag is not part of the speaker's words
    assert "от сотрудничества" in answer.text  # wrapped lines joined
    assert [s.text for s in a.document.segments[8].sentences] == [
        "Односторонние санкции противоречат Уставу ООН, т.е. являются нелегитимными."]
    repeats = [(f.segment_id, f.related[0].segment_id) for f in a.findings if f.kind == "repetition"]
    assert repeats == [("s7", "s3"), ("s8", "s3")]  # "Повторю: …" and the key point quoting the answer


def test_html_article():
    (raw,) = read_path(FIXTURES / "article.html")
    a = default_pipeline()(raw)
    meta = a.document.metadata
    assert meta.title == 'Minister: "The UN Charter must simply be respected"'
    assert meta.source_line == "By Anna Weber, March 24, 2025"
    assert meta.date == dt.date(2025, 3, 24)
    segs = a.document.segments
    assert segs[0].kind == "title" and all(s.kind == "paragraph" for s in segs[1:])
    assert len(segs) == 7


def test_telegram_messages():
    raws = read_path(FIXTURES / "telegram_export.json")
    analyses = list(default_pipeline().pipe(raws))
    languages = {a.document.metadata.language for a in analyses}
    assert languages == {"en", "ru", "fr", "de", "it", "pl"}
    briefing = next(a for a in analyses if a.document.metadata.title == "Briefing by the Spokeswoman")
    # the post's own date stays its date; the date its text states is kept beside it (issue 14, item 1)
    assert briefing.document.metadata.date == dt.date(2025, 1, 21)
    assert briefing.document.metadata.stated_date == dt.date(2025, 2, 12)
    assert kinds(briefing)[1:] == [("question", "Interviewer"), ("answer", "Maria Zakharova")]
    french = next(a for a in analyses if "sanctions n'ont jamais" in a.document.text)
    assert kinds(french) == [("question", "Interviewer"), ("answer", "Sergey Lavrov")]
    points = next(a for a in analyses if a.document.text.startswith("Key points:"))
    assert [k for k, _ in kinds(points)] == ["key_point"] * 3
    assert all(a.document.metadata.date for a in analyses)


def test_unlabelled_paragraph_after_question_is_the_answer():
    a = analyze("Question: Why?\nLAVROV: Because.\nAnd another reason follows here.\n"
                "Question: And then?\nIt will be decided later.")
    assert kinds(a) == [("question", "Interviewer"), ("answer", "Lavrov"), ("answer", "Lavrov"),
                        ("question", "Interviewer"), ("answer", "Lavrov")]


def test_a_sentence_with_a_colon_is_not_a_speaker():
    a = analyze("The point is simple.\nRemember: the truth always comes out in the end.")
    assert kinds(a) == [("paragraph", None), ("paragraph", None)]


def test_bracketed_reference_numbers_are_not_editorial():
    a = analyze("As noted before [1], the position is unchanged [with the US].")
    assert [e.text for s in a.document.segments for e in s.editorial] == ["[with the US]"]
