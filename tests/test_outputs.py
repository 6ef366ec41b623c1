"""The three outputs: JSON valid against the published schema, HTML self-contained and escaped, terminal text."""

from __future__ import annotations

import json

import jsonschema
import pytest

from conftest import FIXTURES
from rhetorscope import analyze
from rhetorscope.model import SCHEMA_VERSION, analysis_json_schema
from rhetorscope.pipeline import default_pipeline
from rhetorscope.readers import read_path
from rhetorscope.render import render
from rhetorscope.render.json import published_schema


@pytest.fixture(scope="module")
def reference(reference_path):
    (raw,) = read_path(reference_path)
    return default_pipeline()(raw)


def test_published_schema_matches_the_model():
    assert published_schema() == json.loads(json.dumps(analysis_json_schema())), (
        "regenerate src/rhetorscope/schema/analysis.schema.json from rhetorscope.model.analysis_json_schema()"
    )


def test_json_validates_and_has_the_documented_fields(reference):
    data = json.loads(render([reference], "json"))
    jsonschema.Draft202012Validator(published_schema()).validate(data)
    assert data["schema_version"] == SCHEMA_VERSION
    seg = data["document"]["segments"][1]
    assert set(seg) >= {"id", "kind", "speaker", "text", "start", "end", "original_start", "original_end",
                        "language", "sentences", "editorial"}
    finding = data["findings"][0]
    assert set(finding) >= {"id", "kind", "technique", "segment_id", "start", "end", "text", "confidence",
                            "evidence", "related"}


def test_several_documents_give_json_lines():
    analyses = list(default_pipeline().pipe(read_path(FIXTURES / "telegram_export.json")))
    lines = render(analyses, "json").splitlines()
    assert len(lines) == len(analyses) == 23
    validator = jsonschema.Draft202012Validator(published_schema())
    for line in lines:
        validator.validate(json.loads(line))


def test_html_is_self_contained_with_legend_and_highlights(reference):
    html = render([reference], "html")
    assert html.startswith("<!doctype html>")
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org", "")
    assert "Legend" in html and "Attack on reputation" in html
    assert 'class="editorial"' in html and "[in 1994]" in html
    assert html.count('<mark class="hl') >= 1  # the repeated lead quote is highlighted
    assert 'href="#' in html and "repeats" in html
    assert "@media print" in html


def test_html_escapes_hostile_text():
    hostile = analyze('Post title\n<script>alert(1)</script> and "><img src=x onerror=alert(2)> in a post.')
    html = render([hostile], "html")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html


def test_terminal_text_has_header_speakers_outline_and_findings(reference):
    text = render([reference], "text", width=120)
    assert "Russia's Foreign Minister Sergey Lavrov’s interview" in text
    assert "date 2025-03-21" in text
    assert "Speakers: Sergey Lavrov (lead 2, answer 2, key point 5) · Interviewer (question 1)" in text
    assert "QUESTION  Interviewer" in text and "KEY POINT  Sergey Lavrov" in text
    assert "Findings" in text and "Repetition" in text and "repeats s2" in text


def test_terminal_colour_output_highlights_fragments(reference):
    text = render([reference], "text", color=True, width=120)
    assert "\x1b[" in text


def test_notebook_repr_is_the_html_report_scoped_to_its_element(reference):
    """The report's own body inside one element, without the page's <html>, <head> or global styles."""
    page, cell = render([reference], "html"), reference._repr_html_()
    body = page[page.index('<article class="report"'):page.index("</article>") + len("</article>")]
    assert cell.startswith('<div class="rhetorscope-report"><style>') and body in cell
    assert "<html" not in cell and "<script" not in cell
