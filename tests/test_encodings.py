"""Encoding detection on real text in every supported language and encoding, and the evidence it weighs.

The corpus is generated here from one paragraph per language, so every pair
(language, encoding) is tested without committing binary fixtures.
"""

from __future__ import annotations

import pytest

from rhetorscope.errors import InputError
from rhetorscope.readers import read_bytes
from rhetorscope.readers.encoding import decode

SAMPLES = {
    "en": "The minister said that the talks had failed because the other side refused to listen. "
          "\"We have always been open to dialogue,\" he told reporters in Geneva on Tuesday, "
          "adding that sanctions would only hurt ordinary people.\n",
    "ru": "Министр заявил, что переговоры провалились, потому что другая сторона отказалась слушать. "
          "\"Мы всегда были открыты для диалога\", - сказал он журналистам в Женеве во вторник, "
          "добавив, что санкции ударят только по простым людям.\n",
    "fr": "Le ministre a déclaré que les négociations avaient échoué parce que l'autre partie refusait "
          "d'écouter. \" Nous avons toujours été ouverts au dialogue \", a-t-il déclaré aux journalistes à "
          "Genève mardi, ajoutant que les sanctions ne frapperaient que les gens ordinaires.\n",
    "de": "Der Minister sagte, die Gespräche seien gescheitert, weil die andere Seite nicht zuhören wollte. "
          "\"Wir waren immer offen für den Dialog\", sagte er am Dienstag vor Journalisten in Genf und fügte "
          "hinzu, dass die Sanktionen nur den gewöhnlichen Menschen schaden würden.\n",
    "it": "Il ministro ha detto che i negoziati sono falliti perché l'altra parte si è rifiutata di ascoltare. "
          "\"Siamo sempre stati aperti al dialogo\", ha dichiarato martedì ai giornalisti a Ginevra, aggiungendo "
          "che le sanzioni colpirebbero solo la gente comune, già più povera di un anno fa.\n",
    "pl": "Minister powiedział, że rozmowy zakończyły się niepowodzeniem, ponieważ druga strona odmówiła "
          "słuchania. \"Zawsze byliśmy otwarci na dialog\" - powiedział we wtorek dziennikarzom w Genewie, "
          "dodając, że sankcje uderzą tylko w zwykłych ludzi, którzy już teraz żyją skromnie.\n",
}
LEGACY = {"ru": ["cp1251", "koi8_r"], "pl": ["cp1250", "iso8859_2"], "fr": ["cp1252", "iso8859_15"],
          "de": ["cp1252", "iso8859_15"], "it": ["cp1252", "iso8859_15"], "en": []}
UNICODE = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32"]
CASES = [(lang, enc) for lang in SAMPLES for enc in UNICODE + LEGACY[lang]]


@pytest.mark.parametrize(("language", "encoding"), CASES)
def test_every_language_in_every_encoding_decodes_exactly(language, encoding):
    text = SAMPLES[language] * 3
    decoded, _ = decode(text.encode(encoding))
    assert decoded == text


@pytest.mark.parametrize("language", list(SAMPLES))
def test_utf16_without_bom_is_read_in_the_right_byte_order(language):
    text = SAMPLES[language]
    assert decode(text.encode("utf-16-be")) == (text, "utf-16-be")
    assert decode(text.encode("utf-16-le")) == (text, "utf-16-le")


@pytest.mark.parametrize("language", ["ru", "pl", "fr", "de"])
def test_a_stray_byte_keeps_a_utf8_file_utf8_and_says_so(language):
    text = SAMPLES[language] * 4
    middle = len(text.encode()) // 2
    data = text.encode()
    data = data[:data.rfind(b" ", 0, middle)] + b" \xff" + data[data.rfind(b" ", 0, middle):]
    decoded, encoding = decode(data)
    assert decoded.replace(" \ufffd", "") == text
    assert encoding == "utf-8 (1 invalid byte sequence replaced with U+FFFD)"


def test_a_legacy_file_with_no_utf8_evidence_still_goes_to_its_code_page():
    assert decode("Déjà vu, naïve café.\n".encode("cp1252"))[0].startswith("D")
    assert decode(SAMPLES["ru"].encode("cp1251"))[0] == SAMPLES["ru"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16-le", "utf-16"])
def test_a_nul_anywhere_refuses_the_file_with_its_place(encoding):
    text = SAMPLES["en"] * 200 + "tail\x00end\n"
    line = text.count("\n", 0, text.index("\x00")) + 1
    with pytest.raises(InputError, match=f"NUL character at line {line}, column 5"):
        decode(text.encode(encoding), name="x.txt")


@pytest.mark.parametrize(("data", "name"), [
    (b'{"text": "fine"}\n{"text": "a\\u0000b"}\n', "posts.jsonl"),
    (b'{"name": "c", "messages": [{"id": 1, "type": "message", "text": "a\\u0000b"}]}', "result.json"),
])
def test_a_nul_escaped_inside_json_is_refused_too(data, name):
    with pytest.raises(InputError, match="contains a NUL character"):
        read_bytes(data, name=name)
