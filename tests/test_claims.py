"""Claims: CheckThat! formats and metrics, ClaimReview import, matching, check-worthiness model and commands."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rhetorscope.claims.claimreview import parse_file, parse_text
from rhetorscope.claims.clef import average_precision, rank_scores, read_debate, retrieval_scores
from rhetorscope.claims.retrieval import ClaimIndex
from rhetorscope.errors import InputError
from rhetorscope.store import Store

CLAIMS = Path(__file__).parent / "fixtures" / "claims"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "rhetorscope", *args], capture_output=True, text=True, timeout=300)


# --- formats and metrics -----------------------------------------------------------------------


def test_average_precision_and_rank_scores() -> None:
    assert average_precision([1, 0, 1, 0]) == pytest.approx((1 + 2 / 3) / 2)
    assert average_precision([0, 1], n_relevant=1, k=1) == 0.0
    s = rank_scores([0, 1, 0, 1], [0.1, 0.9, 0.2, 0.8])
    assert s.avg_precision == 1.0 and s.r_precision == 1.0 and s.p_at[1] == 1.0 and s.p_at[5] == pytest.approx(0.4)


def test_retrieval_scores_count_missing_queries_as_zero() -> None:
    scores = retrieval_scores({"q1": ["a", "b"], "q2": ["c", "d"]}, {"q1": {"a"}, "q2": {"d"}, "q3": {"x"}})
    assert scores["MAP@1"] == pytest.approx(1 / 3)
    assert scores["MRR"] == pytest.approx((1 + 0.5) / 3)


def test_debate_reader_takes_an_optional_label_and_explains_errors(tmp_path: Path) -> None:
    lines = read_debate(CLAIMS / "debate.tsv")
    assert [ln.label for ln in lines] == [0, 1, 0, 1, 0]
    bad = tmp_path / "bad.tsv"
    bad.write_text("x\tA\ttext\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.tsv:1: line number"):
        read_debate(bad)


# --- ClaimReview -------------------------------------------------------------------------------


def test_claim_review_array_keeps_fields_and_skips_records_without_a_claim() -> None:
    parsed = parse_file(CLAIMS / "claimreview.json")
    assert [r.claim for r in parsed.records] == [
        "The city doubled its police budget in 2023.", "Drinking hot water cures the flu.",
        "Unemployment fell to 3 percent last year."]
    first, second, third = parsed.records
    assert (first.rating, first.reviewer, first.claimant, first.language) == (
        "False", "Example Check", "A council member", "en")
    assert first.review_date.isoformat() == "2024-02-10" and first.claim_date.isoformat() == "2024-01-30"
    assert second.rating == "2/5" and second.reviewer == "Health Facts"
    # wrong types are dropped, not guessed: a list as url, a number as date
    assert third.url is None and third.review_date is None and third.rating == "Mostly true"
    assert third.language == "en"
    assert [why for _, why in parsed.skipped] == ["no claimReviewed text", "claimReviewed is int, not text"]


def test_data_feed_json_lines_and_html_json_ld() -> None:
    feed = parse_file(CLAIMS / "feed.json")
    assert [r.rating for r in feed.records] == ["True", "False"]
    lines = parse_file(CLAIMS / "reviews.jsonl")
    assert [r.claim for r in lines.records] == ["The minister resigned after the vote.",
                                                "The bridge cost 40 million euros."]
    assert [why for _, why in lines.skipped] == ["not valid JSON", "no ClaimReview object"]
    page = parse_file(CLAIMS / "article.html")
    assert [r.claim for r in page.records] == ["Vaccines contain microchips for tracking people."]
    assert page.skipped == [(f"{CLAIMS / 'article.html'} JSON-LD block 2", "not valid JSON")]


@pytest.mark.parametrize(("text", "message"), [
    ("<!doctype html><html><body>nothing</body></html>", "HTML page without JSON-LD"),
    ("{\"@type\": \"Article\"}", "no ClaimReview records"),
    ("[1, 2", "not valid JSON"),
    ("just some words", "neither ClaimReview JSON"),
])
def test_unreadable_collections_are_one_line_errors(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_text(text, "x")


def test_import_is_idempotent_and_export_round_trips(tmp_path: Path) -> None:
    from rhetorscope.claims.factchecks import export_claim_review, import_files, list_factchecks

    files = [CLAIMS / "claimreview.json", CLAIMS / "feed.json", CLAIMS / "reviews.jsonl",
             CLAIMS / "article.html", CLAIMS / "vclaims.tsv"]
    with Store.open(tmp_path / "c.sqlite") as store:
        first = import_files(store, files)
        assert (first.added, first.present) == (10, 0)
        # two records without a claim, a bad JSON line, a line without ClaimReview, a broken JSON-LD block,
        # an empty TSV claim
        assert len(first.skipped) == 6
        again = import_files(store, files)
        assert (again.added, again.present) == (0, 10)
        rows = list_factchecks(store, limit=100)
        assert rows[0]["review_date"] == "2024-06-12"
        assert {r["collection"] for r in rows} == {f.name for f in files}
        exported = tmp_path / "export.jsonl"
        exported.write_text("".join(line + "\n" for line in export_claim_review(store)), encoding="utf-8")
    with Store.open(tmp_path / "d.sqlite") as other:
        assert import_files(other, [exported]).added == 10
        assert list_factchecks(other, limit=100) == [{**r, "collection": "export.jsonl"} for r in rows]


# --- matching ----------------------------------------------------------------------------------


def test_bm25_ranks_shared_rare_words_first() -> None:
    index = ClaimIndex(["the bridge cost forty million", "the minister resigned", "the river flooded"], None)
    hits = index.search("how much did the bridge cost", None, 2)
    assert hits[0].index == 0 and hits[0].bm25 > hits[1].bm25
    assert index.shared_terms("how much did the bridge cost", "the bridge cost forty million") == ["bridge", "cost"]


@pytest.mark.parametrize("titles", [False, True])
def test_sketched_vectors_rank_like_the_full_product(titles: bool) -> None:
    """The int8 sketch only picks which fact-checks to score exactly: the top k and their scores are the full
    product's (e5-like vectors: one strong shared direction, so cosines crowd into a narrow band)."""
    import numpy as np

    rng = np.random.default_rng(3)

    def unit(n: int) -> np.ndarray:
        rows = rng.normal(size=384) * 2 + rng.normal(size=(n, 384)) * 0.3
        return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)

    words = ["budget", "bridge", "vaccine", "election", "border", "river", "tax", "school"]
    texts = [" ".join(rng.choice(words, 4)) for _ in range(3000)]
    vectors, title_vectors = unit(3000), unit(3000) if titles else None
    index = ClaimIndex(texts, vectors, title_vectors)
    for n in range(20):
        query = unit(1)[0]
        full = vectors @ query if title_vectors is None else np.maximum(vectors @ query, title_vectors @ query)
        lexical = index.bm25(texts[n])
        blended = 0.8 * (full - full.min()) / (full.max() - full.min()) + 0.2 * lexical / lexical.max()
        expected = sorted(range(len(texts)), key=lambda i: (-blended[i], i))[:10]
        hits = index.search(texts[n], query, 10)
        assert [h.index for h in hits] == expected
        assert [h.score for h in hits] == pytest.approx([blended[i] for i in expected], abs=1e-6)
        assert [h.cosine for h in hits] == pytest.approx([full[i] for i in expected], abs=1e-6)


def _rerank_index(reranker=None):  # type: ignore[no-untyped-def]
    """Fact-checks that share words with a query, where only the number tells the right one apart."""
    rng = np.random.default_rng(5)
    texts = [f"the bridge over the river cost {n} million euros" for n in (10, 20, 30, 40, 50)]
    texts += [f"the school budget grew by {n} percent" for n in (3, 4, 5, 6, 7)]
    rows = rng.normal(size=384) * 2 + rng.normal(size=(len(texts), 384)) * 0.3
    vectors = (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)
    return ClaimIndex(texts, vectors, None, reranker), vectors


def _views(vector: np.ndarray):  # type: ignore[no-untyped-def]
    from rhetorscope.claims.rerank import QueryViews

    return QueryViews(vector, vector[None, :])


def _one_split(feature: str, threshold: float, low: float, high: float):  # type: ignore[no-untyped-def]
    """A re-ranker of one tree: `feature` at most `threshold` gives margin `low`, above it `high`."""
    import numpy as np

    from rhetorscope.claims.rerank import FEATURES, Reranker

    return Reranker(feature=np.array([[FEATURES.index(feature), 0, 0]]), threshold=np.array([[threshold, 0.0, 0.0]]),
                    left=np.array([[1, 0, 0]]), right=np.array([[2, 0, 0]]), value=np.array([[0.0, low, high]]),
                    leaf=np.array([[False, True, True]]), baseline=0.0, depth=30)


def test_reranker_reorders_by_probability_and_round_trips(tmp_path: Path) -> None:
    from rhetorscope.claims.rerank import Reranker
    from rhetorscope.errors import RhetorscopeError

    reranker = _one_split("numbers_shared", 0.5, -2.0, 2.0)
    plain, vectors = _rerank_index()
    index, _ = _rerank_index(reranker)
    query = "they say the bridge cost 40 million"
    assert plain.search(query, vectors[0], 3)[0].index == 0  # the query vector is fact-check 0's
    assert index.search(query, vectors[0], 3) == plain.search(query, vectors[0], 3)  # no passage vector: hybrid
    hits = index.search(query, vectors[0], 3, views=_views(vectors[0]))
    assert hits[0].index == 3 and [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert hits[0].score == pytest.approx(1 / (1 + np.exp(-2.0)))
    assert hits[1].score == pytest.approx(1 / (1 + np.exp(2.0)))
    deep = index.search(query, vectors[0], 10, views=_views(vectors[0]))
    assert [h.index for h in deep[:3]] == [h.index for h in hits]
    reranker.depth = 4
    shallow = index.search(query, vectors[0], 10, views=_views(vectors[0]))  # beyond the depth: the hybrid's order
    assert [h.index for h in shallow[4:]] == [h.index for h in plain.search(query, vectors[0], 10)[4:]]
    assert [h.score for h in shallow] == sorted((h.score for h in shallow), reverse=True)
    reranker.save(tmp_path / "rerank.npz")
    again, _ = _rerank_index(Reranker.load(tmp_path / "rerank.npz"))
    assert again.search(query, vectors[0], 10, views=_views(vectors[0])) == shallow
    np.savez(tmp_path / "old.npz", schema=np.array("rhetorscope-rerank/0"))
    with pytest.raises(RhetorscopeError, match="train retrieval"):
        Reranker.load(tmp_path / "old.npz")


def test_query_views_encode_each_part_once_and_reuse_the_whole_text() -> None:
    from rhetorscope.claims.rerank import embed_views, query_parts

    tweet = "Vaccines contain microchips for tracking people. Share before they delete it — Jane Roe (@roe)"
    assert query_parts(tweet) == ["Vaccines contain microchips for tracking people.", "Share before they delete it"]
    assert query_parts("Fake news!") == ["Fake news!"]

    class Counting:
        def __init__(self) -> None:
            self.calls: list[tuple[str, list[str]]] = []

        def encode(self, texts: list[str], kind: str) -> np.ndarray:
            self.calls.append((kind, list(texts)))
            return np.ones((len(texts), 4), dtype=np.float32) * len(self.calls)

    encoder = Counting()
    short = "The bridge cost forty million euros."
    views = embed_views(encoder, [tweet, short], np.zeros((2, 4), dtype=np.float32))
    assert [kind for kind, _ in encoder.calls] == ["passage", "query"]
    assert encoder.calls[1][1] == query_parts(tweet)  # the short text is its own only part: not encoded again
    assert views[0].parts.shape == (2, 4) and views[1].parts.shape == (1, 4) and not views[1].parts.any()


def test_reranker_fit_learns_what_tells_the_fact_check_apart() -> None:
    """Trained where only the number tells the right fact-check apart, the trees put it first on queries
    they never saw (the exported trees are checked against scikit-learn's own probabilities in `fit`)."""
    from rhetorscope.claims.rerank import candidate_features, fit

    index, vectors = _rerank_index()

    def query(n: int) -> str:
        number = index.texts[n].split()[-3] if n < 5 else index.texts[n].split()[-2]
        return f"someone claims {number} {'million for the bridge' if n < 5 else 'percent for schools'}"

    rows, labels = [], []
    for n in (0, 1, 2, 5, 6, 7):
        hits = index.hybrid(query(n), vectors[(n + 1) % 10], 10)
        rows.append(candidate_features(index, query(n), vectors[(n + 1) % 10], _views(vectors[(n + 1) % 10]), hits))
        labels += [int(h.index == n) for h in hits]
    trained, _ = _rerank_index(fit(np.vstack(rows), np.asarray(labels), trees=20, max_depth=2))
    for n in (3, 4, 8, 9):
        assert trained.search(query(n), vectors[(n + 1) % 10], 3, views=_views(vectors[(n + 1) % 10]))[0].index == n


def test_shipped_reranker_loads_for_the_matcher() -> None:
    from rhetorscope.claims.rerank import load_default, shipped_path

    if not shipped_path().is_file():
        pytest.skip("no shipped re-ranker (rhetorscope train retrieval writes it)")
    reranker = load_default()
    assert reranker is not None and reranker.depth >= 10 and reranker.meta["model_version"].startswith("rerank-")


def test_cross_lingual_matching_finds_the_english_fact_check(tmp_path: Path) -> None:
    from rhetorscope.claims.factchecks import StoreMatcher, embed_missing, import_files
    from rhetorscope.encoder import load_encoder

    encoder = load_encoder()
    with Store.open(tmp_path / "c.sqlite") as store:
        import_files(store, [CLAIMS / "claimreview.json", CLAIMS / "feed.json", CLAIMS / "reviews.jsonl",
                             CLAIMS / "article.html"])
        assert embed_missing(store, encoder) == 8
        assert embed_missing(store, encoder) == 0
        matcher = StoreMatcher(store, encoder, top=2)
    queries = {
        "Вакцины содержат микрочипы для слежки за людьми.": "Vaccines contain microchips for tracking people.",
        "Le pont a coûté 40 millions d'euros.": "The bridge cost 40 million euros.",
        "Połowa nowych samochodów sprzedanych w zeszłym roku była elektryczna.":
            "Half of all new cars sold last year were electric.",
        "Die Stadt hat ihr Polizeibudget 2023 verdoppelt.": "The city doubled its police budget in 2023.",
    }
    for query, expected, matches in zip(queries, queries.values(), matcher(list(queries)), strict=True):
        assert matches[0].claim == expected, query
        assert matches[0].score > matches[1].score


# --- check-worthiness --------------------------------------------------------------------------

# Hand-made: in each language a checkable statement (number, date, source) and a value statement.
MULTILINGUAL = {
    "en": ("Unemployment fell from 8 percent to 4 percent between 2015 and 2019, according to official data.",
           "We believe in a fair and peaceful future for all our children."),
    "ru": ("По данным Росстата, в 2023 году безработица снизилась до 3 процентов.",
           "Мы верим в справедливое и мирное будущее для всех наших детей."),
    "fr": ("Selon l'Insee, le chômage est tombé à 7 pour cent en 2023.",
           "Nous croyons en un avenir juste et pacifique pour tous nos enfants."),
    "de": ("Laut Statistischem Bundesamt sank die Arbeitslosigkeit 2023 auf 5 Prozent.",
           "Wir glauben an eine gerechte und friedliche Zukunft für alle unsere Kinder."),
    "it": ("Secondo l'Istat, nel 2023 la disoccupazione è scesa al 7 per cento.",
           "Crediamo in un futuro giusto e pacifico per tutti i nostri figli."),
    "pl": ("Według GUS bezrobocie spadło w 2023 roku do 5 procent.",
           "Wierzymy w sprawiedliwą i pokojową przyszłość dla wszystkich naszych dzieci."),
}


@pytest.fixture(scope="module")
def model():  # type: ignore[no-untyped-def]
    from rhetorscope.claims.checkworthy import load_model, shipped_artifact

    if not shipped_artifact().is_file():
        pytest.skip("no shipped check-worthiness model")
    return load_model()


def test_checkable_statements_outscore_value_statements_in_six_languages(model) -> None:  # type: ignore[no-untyped-def]
    for lang, (fact, value) in MULTILINGUAL.items():
        fact_s, value_s = model.score([fact, value], [lang, lang], evidence=True)
        assert fact_s.score > value_s.score, lang
        assert 0.0 <= value_s.score <= fact_s.score <= 1.0
        assert any("number" in e or "date" in e for e in fact_s.evidence), (lang, fact_s.evidence)


def test_scores_do_not_depend_on_who_is_named(model) -> None:  # type: ignore[no-untyped-def]
    from rhetorscope.detect.neutrality import swap

    texts = ["Russia spent 4 percent of its GDP on defence in 2023, NATO says.",
             "The United States spent 4 percent of its GDP on defence in 2023, NATO says.",
             "Putin said the sanctions cost Moscow 300 billion dollars.",
             "Biden signed the bill in Washington in March 2022."]
    swapped = [swap(t, "en", "listed") for t in texts]
    assert all(s and s != t for s, t in zip(swapped, texts, strict=True))
    before = [s.score for s in model.score(texts)]
    after = [s.score for s in model.score(swapped)]  # type: ignore[arg-type]
    assert before == pytest.approx(after, abs=1e-6)
    # names no list holds are masked too (the shared masking step), in English and in Russian; a name
    # whose head is a common word keeps it ("African Union" reads "ζ Union"), so none is used here
    unlisted = [("Georgia spent 4 percent of its budget on defence in 2023, Pashinyan says.", "en"),
                ("Aliyev said the pipeline cost Armenia 3 billion dollars.", "en"),
                ("Грузия потратила 4 процента бюджета на оборону в 2023 году.", "ru"),
                ("India signed the treaty in Brazil in March 2022.", "en")]
    other = [swap(t, lang, "unlisted") for t, lang in unlisted]
    assert all(o and o != t for o, (t, _) in zip(other, unlisted, strict=True))
    langs = [lang for _, lang in unlisted]
    assert [s.score for s in model.score([t for t, _ in unlisted], langs)] == pytest.approx(
        [s.score for s in model.score(other, langs)], abs=1e-6)  # type: ignore[arg-type]


def test_checkworthy_predict_and_score_commands(tmp_path: Path, model) -> None:  # type: ignore[no-untyped-def]
    pred = tmp_path / "pred.tsv"
    done = run_cli("checkworthy", "predict", "--debate", str(CLAIMS / "debate.tsv"), "--out", str(pred))
    assert done.returncode == 0, done.stderr
    lines = [ln.split("\t") for ln in pred.read_text(encoding="utf-8").splitlines()]
    assert [int(n) for n, _ in lines] == [1, 2, 3, 4, 5] and all(0 <= float(s) <= 1 for _, s in lines)
    scored = run_cli("checkworthy", "score", "--pred", str(pred), "--gold", str(CLAIMS / "debate.tsv"))
    assert scored.returncode == 0 and scored.stdout.startswith("MAP=1.0000"), scored.stdout
    missing = run_cli("checkworthy", "score", "--pred", str(pred), "--gold", str(tmp_path / "nope.tsv"))
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1 and "no such file" in missing.stderr


def test_claims_retrieve_and_score_commands(tmp_path: Path) -> None:
    run = tmp_path / "run.tsv"
    done = run_cli("claims", "retrieve", "--queries", str(CLAIMS / "queries.tsv"), "--vclaims",
                   str(CLAIMS / "vclaims.tsv"), "--out", str(run), "--bm25")
    assert done.returncode == 0, done.stderr
    first = run.read_text(encoding="utf-8").splitlines()[0].split("\t")
    assert first[:4] == ["10", "Q0", "0", "1"] and first[5] == "rhetorscope-bm25"
    scored = run_cli("claims", "score", "--run", str(run), "--qrels", str(CLAIMS / "qrels.tsv"))
    assert scored.returncode == 0 and "MAP@5=1.0000" in scored.stdout


def test_factchecks_commands_report_skips_and_refuse_bad_files(tmp_path: Path) -> None:
    db = str(tmp_path / "c.sqlite")
    done = run_cli("factchecks", "import", str(CLAIMS / "claimreview.json"), "--db", db, "--no-vectors")
    assert done.returncode == 0 and "added 3" in done.stdout and "skipped" in done.stderr
    listed = run_cli("factchecks", "list", "--db", db, "--json")
    assert next(json.loads(ln)["claim"] for ln in listed.stdout.splitlines()) == (
        "The city doubled its police budget in 2023.")
    bad = run_cli("factchecks", "import", str(CLAIMS / "plain.html"), "--db", db)
    assert bad.returncode == 2 and "without JSON-LD" in bad.stderr and "Traceback" not in bad.stderr


def test_shared_checkthat_data_reads_as_documented(shared_datasets: Path) -> None:
    from rhetorscope.claims.clef import read_debates, read_qrels, read_queries

    debates = read_debates(shared_datasets / "checkthat2019-task1")
    assert len(debates) == 19 and sum(map(len, debates.values())) == 16421
    task2 = shared_datasets / "checkthat2020-task2"
    assert len(read_queries(task2 / "dev" / "tweets.queries.tsv")) == 197
    assert len(read_qrels(task2 / "dev" / "tweet-vclaim-pairs.qrels")) == 197


def test_api_lists_fact_checks_and_matches_a_claim_across_languages(tmp_path: Path) -> None:
    import httpx

    from rhetorscope.claims.factchecks import StoreMatcher, embed_missing, import_files
    from rhetorscope.encoder import load_encoder
    from rhetorscope.pipeline import default_pipeline, with_matcher
    from rhetorscope.readers.base import RawDocument
    from rhetorscope.web.settings import Settings
    from test_web_server import running_server

    db = tmp_path / "c.sqlite"
    text = ("Unemployment fell from 8 percent to 4 percent between 2015 and 2019, according to official data."
            "\n\nWe believe in a fair and peaceful future for all our children.")
    with Store.open(db) as store:
        import_files(store, [CLAIMS / "claimreview.json", CLAIMS / "article.html"])
        embed_missing(store, load_encoder())
        pipeline = with_matcher(default_pipeline(), StoreMatcher(store, load_encoder()))
        analysis = pipeline(RawDocument(text=text, input_format="text", source="channel-x", date=dt.date(2024, 5, 1)))
        claims = [f for f in analysis.findings if f.kind == "claim"]
        assert [f.text for f in claims] == [text.split("\n")[0]]
        assert claims[0].matches and claims[0].matches[0].claim == "Unemployment fell to 3 percent last year."
        assert store.add(analysis)
        assert store.get_document(store.find_documents(analysis.document.id)[0]) == analysis  # claims round-trip
    with running_server(Settings(db=str(db), workers=1, queue=4)) as url, \
            httpx.Client(base_url=url, timeout=60) as http:
        page = http.get("/api/v1/factchecks", params={"limit": 2}).json()
        assert page["total"] == 4 and len(page["factchecks"]) == 2
        assert page["factchecks"][0]["review_date"] == "2024-02-10"
        found = http.get("/api/v1/claims/match", params={"q": "Вакцины содержат микрочипы для слежки.", "top": 2})
        assert found.status_code == 200
        best = found.json()["matches"][0]
        assert best["claim"] == "Vaccines contain microchips for tracking people." and best["rating"] == "False"
        assert http.get("/api/v1/claims/match").status_code == 422
        page_html = http.get("/claims", params={"source": "channel-x"}).text
        assert "Unemployment fell from 8 percent" in page_html and "Unemployment fell to 3 percent" in page_html
        assert "No claims stored" in http.get("/claims", params={"source": "nobody"}).text


def test_reference_document_claims_are_its_checkable_sentences(reference_path: Path, model) -> None:  # type: ignore[no-untyped-def]
    from rhetorscope.pipeline import default_pipeline
    from rhetorscope.readers import read_path

    analysis = default_pipeline()(read_path(reference_path)[0])
    claims = [f.text for f in analysis.findings if f.kind == "claim"]
    assert any("transparent referendum with hundreds of European observers" in c for c in claims)
    assert any(c.startswith("When Kosovo declared independence without a referendum") for c in claims)
    for value_statement in ("This, of course, was a huge mistake.", "Diplomacy mirrors life"):
        assert not any(c.startswith(value_statement) for c in claims)
    sentences = [s for seg in analysis.document.segments for s in seg.sentences]
    assert all(s.checkworthiness is not None for s in sentences)


def test_train_retrieval_writes_a_reranker_the_matcher_reads(tmp_path: Path) -> None:
    """`train retrieval` on a small CheckThat!-shaped folder: a re-ranker, its card, and the same trees
    from the same data and seed."""
    from rhetorscope.claims.rerank import Reranker

    topics = ["bridge", "vaccine", "election", "border", "river", "school", "budget", "harbour", "forest", "tax"]
    data = tmp_path / "task2"
    vclaims = [f"{n}\tThe {t} cost {10 * n + k} million euros in {2000 + n}.\tDid the {t} cost that much?"
               for n, (t, k) in enumerate((t, k) for t in topics for k in range(3))]
    data.mkdir()
    (data / "verified_claims.docs.tsv").write_text("\tvclaim\ttitle\n" + "\n".join(vclaims) + "\n", encoding="utf-8")
    for split, first in (("train", 0), ("dev", 20)):
        (data / split).mkdir()
        rows = [(first + i, n) for i, n in enumerate(range(0, 30, 3) if split == "dev" else range(30))]
        texts = [vclaims[n].split("\t")[1].replace("The", "they say the") for _, n in rows]
        lines = "".join(f"{q}\t{t}\n" for (q, _), t in zip(rows, texts, strict=True))
        (data / split / "tweets.queries.tsv").write_text("\ttweet_content\n" + lines, encoding="utf-8")
        (data / split / "tweet-vclaim-pairs.qrels").write_text(
            "".join(f"{q}\t0\t{n}\t1\n" for q, n in rows), encoding="utf-8")
    cache = tmp_path / "cache.npz"
    runs = []
    for out in (tmp_path / "a", tmp_path / "b"):
        done = run_cli("train", "retrieval", "--data", str(data), "--out", str(out), "--cache", str(cache))
        assert done.returncode == 0, done.stderr
        assert "dev (unseen), re-ranked" in done.stdout and (out / "RERANK_CARD.md").is_file()
        runs.append(Reranker.load(out / "rerank.npz"))
    a, b = runs
    assert a.depth == 30 and a.meta["model_version"].startswith("rerank-")
    assert np.array_equal(a.threshold, b.threshold) and np.array_equal(a.value, b.value) and a.baseline == b.baseline
