"""Work a long document does once, or not at all, without changing what the analysis says."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pysbd
import pytest
from pysbd.languages import Language

from rhetorscope import sentences

ABBREVIATION_DENSE = {
    "en": "Mr. Smith met Dr. Jones and Gen. Petraeus in the U.S. on Jan. 5 about No. 5 and art. 3. A man. An "
          "idea. Prof. Lee of Acme Inc. spoke on St. Mark's day, a.m. or p.m., e.g. at noon. Was it all?",
    "fr": "M. Dupont a vu le Dr. Martin, p. ex. à Paris, etc. Il est parti av. midi. Voir fig. 3 et art. 5, "
          "c.-à-d. la suite. Le vol. 2 est paru. Alors ?",
    "de": "Hr. Müller traf Dr. Schmidt z. B. in Berlin, d. h. am Mo. früh. Vgl. Abs. 3 und Nr. 5 usw. Das "
          "war alles. Oder nicht?",
    "it": "Il sig. Rossi ha visto il dott. Bianchi, ecc. Vedi art. 3 e pag. 5. Il prof. Verdi è arrivato "
          "alle 5. Poi è partito. Ma perché?",
    "pl": "Prof. Kowalski i dr Nowak, np. w Warszawie, itd. Zob. str. 5 i rozdz. 3. To był ok. 5 rok. "
          "Czy tak?",
}


@pytest.mark.parametrize("lang", sorted(ABBREVIATION_DENSE))
def test_the_splitter_rewrites_each_abbreviation_form_once_and_splits_like_pysbd(
        lang: str, monkeypatch: pytest.MonkeyPatch) -> None:
    text = " ".join([ABBREVIATION_DENSE[lang]] * 4)
    stock = pysbd.Segmenter(language=lang, clean=False).segment(text)
    calls: Counter[tuple[str, str]] = Counter()
    base = Language.get_language_code(lang).AbbreviationReplacer
    real = base.scan_for_replacements

    def counted(self, txt, am, ind, char_array):  # type: ignore[no-untyped-def]
        calls[(am, char_array[ind] if ind < len(char_array) else "")] += 1
        return real(self, txt, am, ind, char_array)

    monkeypatch.setattr(base, "scan_for_replacements", counted)
    assert sentences.splitter(lang)(text) == stock
    assert calls and max(calls.values()) == 1


def test_a_lexical_run_searches_no_cues_and_claims_reuse_the_masking(reference_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Over the encoder's budget the technique stage is the lexical model, which reads no cues, and the
    claim stage reads each sentence as the technique stage masked it; the scores are those the
    check-worthiness model gives the raw sentences."""
    from rhetorscope.claims import text as claim_text
    from rhetorscope.claims.checkworthy import load_model
    from rhetorscope.detect import features
    from rhetorscope.pipeline import default_pipeline
    from rhetorscope.readers import read_path

    cue_searches: list[str] = []
    claim_masks: list[str] = []
    real_find, real_mask = features.find, claim_text.mask
    monkeypatch.setattr(features, "find", lambda text, lang: cue_searches.append(text) or real_find(text, lang))
    monkeypatch.setattr(claim_text, "mask", lambda text, lang: claim_masks.append(text) or real_mask(text, lang))
    (raw,) = read_path(reference_path)
    monkeypatch.setenv("RHETORSCOPE_ENCODER_MAX_CHARS", "1500")
    bounded = default_pipeline()(raw)
    assert "fast: the document is longer" in bounded.models["sentences-model"]
    assert cue_searches == []
    titles = [s.text for seg in bounded.document.segments if seg.kind == "title" for s in seg.sentences]
    assert claim_masks == titles  # the technique stage passes no verdict on a title: only it is masked again

    scored = [(seg, s) for seg in bounded.document.segments for s in seg.sentences if s.checkworthiness is not None]
    langs = [seg.language or bounded.document.metadata.language for seg, _ in scored]
    again = load_model().score([s.text for _, s in scored], langs)
    assert [s.checkworthiness for _, s in scored] == [round(r.score, 4) for r in again]

    monkeypatch.delenv("RHETORSCOPE_ENCODER_MAX_CHARS")
    default_pipeline()(raw)
    assert cue_searches  # the accurate tier's network reads the cues
