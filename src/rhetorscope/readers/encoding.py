"""Turn bytes into text: detect the encoding from evidence, and refuse binary data.

Order of evidence: a byte-order mark; the NUL-byte pattern of BOM-less UTF-16,
in whichever byte order decodes to text with spaces and line breaks (read the
wrong way round, every U+0020 becomes U+2000 and Latin letters become CJK);
UTF-8, kept when nearly all non-ASCII bytes form valid UTF-8 sequences (a few
stray bytes are replaced by U+FFFD and the count goes into the encoding name,
rather than sending the whole file to a legacy code page and garbling it); then
charset-normalizer restricted to the legacy code pages that real political
sources use (cp1251 and KOI8-R for Russian, cp1250 and ISO-8859-2 for Polish,
cp1252 for Western Europe). A result is accepted only if the decoded text is
made of printable characters, and a NUL anywhere in it refuses the file.
"""

from __future__ import annotations

import codecs

from rhetorscope.errors import InputError
from rhetorscope.readers.base import nul_error

LEGACY_ENCODINGS = ["cp1251", "koi8_r", "cp1250", "iso8859_2", "cp1252", "iso8859_15"]

_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]
_MAGIC = {
    b"%PDF": "a PDF document",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"PK\x03\x04": "a ZIP archive (or a .docx/.xlsx file)",
    b"\x1f\x8b": "a gzip archive",
    b"\x7fELF": "an executable",
    b"SQLite format 3": "an SQLite database",
    b"\xd0\xcf\x11\xe0": "an old Microsoft Office document",
}
_CONVERT_HINT = "convert it to plain text, HTML, JSON, JSON Lines or CSV first"


def _control_ratio(text: str) -> float:
    sample = text[:100_000]
    bad = sum(1 for c in sample if (c < " " and c not in "\t\n\r\f") or c == "\x7f" or c == "\ufffd")
    return bad / max(len(sample), 1)


def _utf16_without_bom(data: bytes) -> str | None:
    """NUL bytes plus a clean UTF-16 decoding: ASCII-heavy text has NULs on one side, Cyrillic has 0x04.

    Both byte orders often decode without error; the right one is the one whose
    text has ASCII spaces and line breaks.
    """
    sample = data[:4000] if len(data) % 2 == 0 else data[:3999]
    if b"\x00" not in sample or len(sample) < 4:
        return None
    best, best_score = None, 0
    for encoding in ("utf-16-le", "utf-16-be"):
        try:
            text = sample.decode(encoding)
        except UnicodeDecodeError:
            continue
        score = sum(text.count(c) for c in " \n")
        if (_control_ratio(text) < 0.01 and sum(c.isalpha() for c in text) > len(text) * 0.4
                and score > best_score):
            best, best_score = encoding, score
    return best


#: UTF-8 stays UTF-8 while there are at least this many valid non-ASCII characters per invalid sequence.
_UTF8_INVALID_SHARE = 20


def _mostly_utf8(data: bytes) -> tuple[str, int] | None:
    """The text with invalid sequences replaced and their count, when the evidence says UTF-8 nonetheless."""
    text = data.decode("utf-8", errors="replace")
    invalid = text.count("\ufffd") - data.count("\ufffd".encode())
    valid = sum(1 for c in text if c > "\x7f" and c != "\ufffd")
    return (text, invalid) if valid >= invalid * _UTF8_INVALID_SHARE else None


def decode(data: bytes, *, name: str = "input") -> tuple[str, str]:
    """Decode `data`, returning (text, encoding name); raises InputError on binary or undecodable data."""
    if not data.strip():
        raise InputError(f"{name} is empty", "give a file that contains text")
    for magic, what in _MAGIC.items():
        if data.startswith(magic):
            raise InputError(f"{name} is {what}, not text", _CONVERT_HINT)
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _checked(_strict(data, encoding, name), name), encoding.replace("-sig", " with BOM")
    utf16 = _utf16_without_bom(data)
    if utf16:
        return _checked(_strict(data, utf16, name), name), utf16
    if b"\x00" in data[:8192]:
        raise InputError(f"{name} looks like binary data (it contains NUL bytes)", _CONVERT_HINT)
    try:
        text, encoding = data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        repaired = _mostly_utf8(data)
        if repaired is not None:
            text, invalid = repaired
            encoding = f"utf-8 ({invalid} invalid byte sequence{'s' if invalid != 1 else ''} replaced with U+FFFD)"
        else:
            text, encoding = _legacy(data, name)
    if _control_ratio(text) > 0.01:
        raise InputError(f"{name} looks like binary data, not text", _CONVERT_HINT)
    return _checked(text, name), encoding


def _checked(text: str, name: str) -> str:
    if "\x00" in text:
        raise nul_error(name, text)
    return text


def _strict(data: bytes, encoding: str, name: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name} starts like {encoding} but has invalid bytes at offset {exc.start}",
            "re-save it as UTF-8",
        ) from None
    return text.lstrip("\ufeff")


def _legacy(data: bytes, name: str) -> tuple[str, str]:
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=LEGACY_ENCODINGS).best()
    if best is None or best.chaos > 0.3:
        raise InputError(
            f"{name} is not valid UTF-8 and matches no known legacy encoding",
            "re-save it as UTF-8 (or pass a file in cp1251, cp1250, cp1252 or KOI8-R)",
        )
    return str(best), best.encoding
