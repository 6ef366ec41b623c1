"""The one language policy of every entry point: `analyze`, `ingest`, the web app, the API and the Python API.

- A document in a supported language is analysed.
- A forced language (`--language`, `language=`, the Analyze form's field, the API's `language`) replaces
  detection, before any stage that depends on it (sentences, techniques); it must be supported.
- Otherwise a document detected in an unsupported language is refused (`UnsupportedLanguage`: one line
  and exit code 2 in the CLI, 422 on the web), early when its samples already say so, else after the
  structure stages name its language. So is a single document whose language cannot be told.
- `ingest` stores such a document without analysis (structure only, searchable) and names it in its summary.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from rhetorscope.language import (
    SUPPORTED,
    ForcedLanguage,
    UnreadableText,
    UnsupportedLanguage,
    forced_language,
    refuse_unsupported_early,
    require_supported,
)

if TYPE_CHECKING:
    from rhetorscope.model import Analysis
    from rhetorscope.pipeline import Pipeline
    from rhetorscope.readers.base import RawDocument

FORCE_HINT = "; pass a language to force one"


def pipeline_for(*, fast: bool = False, language: str | None = None, structure_only: bool = False) -> Pipeline:
    """The default pipeline (or the structure stages only), with the forced language in place of detection."""
    from rhetorscope.pipeline import Pipeline, default_pipeline, structure_pipeline

    pipeline = structure_pipeline() if structure_only else default_pipeline(fast=fast)
    code = forced_language(language)
    if code is None:
        return pipeline
    return Pipeline([ForcedLanguage(code) if c.name == "language" else c for c in pipeline.components])


def check_detected(analysis: Analysis, name: str, *, single: bool = True) -> None:
    """Refuse an analysis whose detected language is unsupported (or, for a single document, unknown)."""
    language = analysis.document.metadata.language
    if language is None and single:
        raise UnsupportedLanguage(f"{name}: cannot tell the language (too little text)",
                                  f"force one of: {', '.join(SUPPORTED)}")
    require_supported(language, name, FORCE_HINT)


def precheck(raw: RawDocument, name: str, language: str | None) -> None:
    """The early refusal (milliseconds, before any stage or model loads); nothing to check when a language is forced."""
    if forced_language(language) is None:
        refuse_unsupported_early(raw.text, name, FORCE_HINT)


def precheck_batch(raws: Sequence[RawDocument], names: Sequence[str],
                   language: str | None) -> list[UnsupportedLanguage | None]:
    """`precheck` of each document of a batch, all before any of their pipelines runs: each one's refusal, or None.

    Lingua's models are large tables that repair and structure push out of the CPU's caches between one
    post and the next; detecting a batch's samples back to back costs about half as much a post (0.27
    against 0.45-0.6 ms on the 2-core benchmark machine). The pipeline's detection of a one-paragraph post
    then finds its sample remembered (`language.detect`). The caller raises a refusal where the document's
    turn comes, so the policy and the order of what it reports are those of `precheck` document by document.
    """
    out: list[UnsupportedLanguage | None] = []
    for raw, name in zip(raws, names, strict=True):
        try:
            precheck(raw, name, language)
            out.append(None)
        except UnsupportedLanguage as exc:
            out.append(exc)
    return out


def analyse_or_structure(raw: RawDocument, name: str, refusal: UnsupportedLanguage | None, *, pipeline: Pipeline,
                         language: str | None = None) -> tuple[Analysis, str | None]:
    """A member of a batch (`precheck_batch` gave its `refusal`) analysed under the policy, as every ingest does.

    A document in a language rhetorscope does not analyse gets the structure stages only (stored
    searchable, not analysed); the second value then names it for the run's summary ("file: document
    7 ('ar')"), and is None otherwise. A long text that reads as no language raises `UnreadableText`:
    it is not stored at all.
    """
    from rhetorscope.pipeline import structure_pipeline

    try:
        if refusal is not None:
            raise refusal
        return analyse(raw, name, language=language, pipeline=pipeline, single=False, prechecked=True), None
    except UnreadableText:
        raise
    except UnsupportedLanguage as exc:
        return structure_pipeline()(raw), exc.message.replace(" is in an unsupported language", "")


def analyse(raw: RawDocument, name: str, *, language: str | None = None, fast: bool = False,
            pipeline: Pipeline | None = None, single: bool = True, prechecked: bool = False,
            on_stage: Callable[[str], None] | None = None) -> Analysis:
    """Analyse one document under the policy.

    `pipeline` (from `pipeline_for`) saves rebuilding it per document; `prechecked` says `precheck` already ran.
    """
    code = forced_language(language)
    if not prechecked:
        precheck(raw, name, code)
    analysis = (pipeline or pipeline_for(fast=fast, language=code))(raw, on_stage=on_stage)
    if code is None:
        check_detected(analysis, name, single=single)
    return analysis
