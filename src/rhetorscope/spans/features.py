"""Tokens and CRF features for the span tagger.

Each line of a text is one CRF sequence: PTC fragments rarely cross a newline,
and lines keep sequences short enough to train and tag fast. Token features are
strings (crfsuite attributes): the word and its shape, affixes, lexicon classes,
the neighbouring words, where the token sits in its sentence, whether it is
inside quotes, sentence-level cues (exclamation, question, lexicon classes
present), how often the word recurs in the document (for Repetition) and, for a
model trained with them, the e5 word clusters of the word and its neighbours
(`rhetorscope.wordclusters`), so a word never labelled in training is tagged
like the words closest to it in meaning. Actor names (countries, leaders,
organisations, parties: the paragraph classifier's gazetteer) are masked: they
all become one placeholder word of the `actor` class, so a fragment is tagged
the same whichever side it names.

Why strings and a per-word cache: the features of a word type never change, so
they are computed once per distinct word; only the positional and contextual
ones are built per token, which keeps tagging at well over 50 articles a second.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from rhetorscope.classify.actors import PLACEHOLDER, is_actor
from rhetorscope.spans.lexicon import LEXICON, valence
from rhetorscope.wordclusters import WordClusters

FEATURES_VERSION = "5"

TOKEN_RE = re.compile(r"\w+(?:[-'’]\w+)*|[^\w\s]")
_SENTENCE_END = frozenset(".!?")
_CLOSING = frozenset({'"', "”", "’", "'", ")", "»"})
_SHAPE_RE = (re.compile(r"[A-Z]"), re.compile(r"[a-z]"), re.compile(r"[0-9]"))
_REPEAT_RE = re.compile(r"(.)\1+")
_MAX_CACHE = 200_000


@dataclass(frozen=True)
class TokenSequence:
    """One line of text as tokens: character offsets into the full text, features, sentence token ranges.

    `terms` are each token's contribution to its sentence's bag of terms (the
    sentence re-scorer's input): its word, lexicon classes and clusters, and the
    bigram it starts; a subset of its features, kept apart so that nobody has to
    filter the features again.
    """

    starts: list[int]
    ends: list[int]
    features: list[list[str]]
    sentences: list[tuple[int, int]]
    terms: list[list[str]]


def _shape(token: str) -> str:
    upper, lower, digit = _SHAPE_RE
    shape = digit.sub("d", lower.sub("x", upper.sub("X", token)))
    return _REPEAT_RE.sub(r"\1", shape)[:4]


_Type = tuple[list[str], list[str], list[str], str, tuple[str, ...], list[str]]


class TypeFeatures:
    """Per-word-type features, cached: (own, as left neighbour, as right neighbour, lowercase, classes, terms).

    With `clusters`, a word and its neighbours also carry their e5 word clusters
    (`cl=k256_17`), so the CRF generalises from a labelled word to words close in meaning.
    """

    def __init__(self, clusters: WordClusters | None = None) -> None:
        self.clusters = clusters
        self._cache: dict[str, _Type] = {}

    def __call__(self, token: str) -> _Type:
        cached = self._cache.get(token)
        if cached is not None:
            return cached
        if len(self._cache) > _MAX_CACHE:
            self._cache.clear()
        shape = _shape(token)
        if is_actor(token):  # the tagger judges wording, not who is named: every actor looks the same
            low, lex = PLACEHOLDER, ("actor",)
        else:
            low = token.lower()
            lex = LEXICON.get(low, ())
            polarity = valence().get(low)
            if polarity:
                lex = (*lex, f"vd{polarity}")
        terms = [f"w={low}", *(f"lx={c}" for c in lex)]
        own = [terms[0], f"sh={shape}", *terms[1:]]
        if len(low) > 3:
            own += [f"s3={low[-3:]}", f"p4={low[:4]}"]
        if len(token) > 1 and token.isupper():
            own.append("allcaps")
        left = [f"-1w={low}", f"-1sh={shape}", *(f"-1lx={c}" for c in lex)]
        right = [f"+1w={low}", f"+1sh={shape}", *(f"+1lx={c}" for c in lex)]
        if self.clusters is not None:
            groups = self.clusters.get(low)
            own += [f"cl={g}" for g in groups]
            terms += [f"cl={g}" for g in groups]
            left += [f"-1cl={g}" for g in groups]
            right += [f"+1cl={g}" for g in groups]
        cached = (own, left, right, low, lex, terms)
        self._cache[token] = cached
        return cached


PLAIN = TypeFeatures()
"""Features without word clusters (models trained before clusters, and tests)."""


def _bucket(n: int) -> str:
    if n < 3:
        return str(n)
    if n < 6:
        return "3-5"
    if n < 11:
        return "6-10"
    return "11+"


def _bucketed(prefix: str) -> tuple[str, ...]:
    """`prefix + _bucket(n)` for n = 0 … 11 (11 stands for all larger n): built once, indexed per token."""
    return tuple(f"{prefix}={_bucket(n)}" for n in range(12))


_SENTENCE_POSITION, _SENTENCE_REST, _DOC_FREQ = _bucketed("sp"), _bucketed("se"), _bucketed("df")


def _sentences(tokens: list[str]) -> list[tuple[int, int]]:
    """Token ranges of the sentences in a line: split after . ! ? (and a closing quote) before a new word."""
    bounds: list[tuple[int, int]] = []
    first = 0
    n = len(tokens)
    i = 0
    while i < n:
        if tokens[i] in _SENTENCE_END:
            while i + 1 < n and (tokens[i + 1] in _SENTENCE_END or tokens[i + 1] in _CLOSING):
                i += 1
            if i + 1 == n or not tokens[i + 1][0].islower():
                bounds.append((first, i + 1))
                first = i + 1
        i += 1
    if first < n:
        bounds.append((first, n))
    return bounds


def _document_features(lines: list[list[str]]) -> list[str]:
    """How charged the whole text is: lets the CRF expect more spans in a polemic than in a wire report."""
    tokens = [t for line in lines for t in line]
    n = max(len(tokens), 1)
    strong = sum(1 for t in tokens if valence().get(t.lower(), "p1")[1] != "1")
    emotional = sum(1 for t in tokens if "emotion" in LEXICON.get(t.lower(), ()))
    marks = sum(1 for t in tokens if t in ("!", "?"))
    return [f"dv={min(int(200 * strong / n), 8)}", f"de={min(int(200 * emotional / n), 4)}",
            f"dm={min(int(1000 * marks / n), 4)}"]


def _line_features(
    tokens: list[str], sentences: list[tuple[int, int]], title: bool, doc_freq: Counter[str], document: list[str],
    type_features: TypeFeatures,
) -> tuple[list[list[str]], list[list[str]]]:
    types = [type_features(t) for t in tokens]
    lows = [t[3] for t in types]
    features: list[list[str]] = []
    terms: list[list[str]] = []
    in_quote = False
    for s_start, s_end in sentences:
        sent_tokens = tokens[s_start:s_end]
        charged = sum(1 for t in types[s_start:s_end] if any(c[:3] == "vdn" for c in t[4]))
        sentence = [f"slen={_bucket(s_end - s_start)}", f"sneg={min(charged, 3)}", *document]
        sentence += sorted({f"sx={c}" for t in types[s_start:s_end] for c in t[4]})
        if "!" in sent_tokens:
            sentence.append("s!")
        if "?" in sent_tokens:
            sentence.append("s?")
        if any(t in ('"', "“", "”") for t in sent_tokens):
            sentence.append("squote")
        if title:
            sentence.append("title")
        for i in range(s_start, s_end):
            token = tokens[i]
            own, _, _, low, _, own_terms = types[i]
            if token in ("“", "«"):
                in_quote = True
            elif token in ("”", "»"):
                in_quote = False
            elif token == '"':
                in_quote = not in_quote
            feats = ["b", *own, *sentence, _SENTENCE_POSITION[min(i - s_start, 11)],
                     _SENTENCE_REST[min(s_end - 1 - i, 11)]]
            if in_quote:
                feats.append("inq")
            freq = doc_freq.get(low, 0)
            if freq > 1:
                feats.append(_DOC_FREQ[min(freq, 11)])
            if i > 0:
                feats += types[i - 1][1]
                feats.append(f"bg-={lows[i - 1]}|{low}")
                if i > 1:
                    feats.append(f"-2w={lows[i - 2]}")
            else:
                feats.append("BOL")
            if i + 1 < len(tokens):
                feats += types[i + 1][2]
                bigram = f"bg+={low}|{lows[i + 1]}"
                feats.append(bigram)
                terms.append([*own_terms, bigram])
                if i + 2 < len(tokens):
                    feats.append(f"+2w={lows[i + 2]}")
            else:
                feats.append("EOL")
                terms.append(own_terms)
            features.append(feats)
    return features, terms


def featurize(text: str, type_features: TypeFeatures = PLAIN) -> list[TokenSequence]:
    """Split a text into per-line token sequences with their CRF features."""
    lines: list[tuple[list[int], list[int], list[str]]] = []
    doc_freq: Counter[str] = Counter()
    offset = 0
    for line in text.split("\n"):
        matches = list(TOKEN_RE.finditer(line))
        if matches:
            tokens = [m.group() for m in matches]
            lines.append(([offset + m.start() for m in matches], [offset + m.end() for m in matches], tokens))
            doc_freq.update(t.lower() for t in tokens if len(t) > 3)
        offset += len(line) + 1
    document = _document_features([tokens for _, _, tokens in lines])
    sequences = []
    for index, (starts, ends, tokens) in enumerate(lines):
        sentences = _sentences(tokens)
        features, terms = _line_features(tokens, sentences, index == 0, doc_freq, document, type_features)
        sequences.append(TokenSequence(starts, ends, features, sentences, terms))
    return sequences
