"""BM25Index and its tokenizer: ranking on a toy corpus, unicode tokens, edge cases, agreement
with raw bm25s and with the Lucene BM25 formula computed by hand, atomic save/load."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from rag_eval_assets.lib.retrieval import ENGLISH_STOPWORDS, BM25Index, Tokenizer
from rag_eval_assets.lib.retrieval.sparse import MANIFEST_FILE

IDS = ["cats", "dogs", "mixed", "birds", "fish"]
TEXTS = [
    "Cats purr. A cat sleeps all day and the cats chase mice.",
    "Dogs bark at the postman; a dog fetches sticks.",
    "The cat and the dog share a sofa.",
    "Birds sing at dawn and migrate south in winter.",
    "Fish swim in the river and the sea.",
]


@pytest.fixture(scope="module")
def toy() -> BM25Index:
    return BM25Index.build(IDS, TEXTS)


def lucene_bm25(query: list[str], docs: list[list[str]], k1: float = 1.2, b: float = 0.75) -> list[float]:
    """Lucene BM25 written out from the formula, as the oracle."""
    n, avgdl = len(docs), sum(map(len, docs)) / len(docs)
    out = []
    for doc in docs:
        score = 0.0
        for term in query:
            df = sum(term in d for d in docs)
            tf = doc.count(term)
            if tf:
                idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
                score += idf * tf / (tf + k1 * (1 - b + b * len(doc) / avgdl))
        out.append(score)
    return out


def test_ranking_sanity(toy: BM25Index) -> None:
    hits = toy.search("cats", 10)
    assert [d for d, _ in hits] == ["cats", "mixed"]  # stemmed: cat/cats match; only matching docs return
    assert hits[0][1] > hits[1][1] > 0
    assert toy.search("dog barking", 3)[0][0] == "dogs"
    assert toy.search("river sea", 1) == toy.search("river sea", 5)[:1] == [("fish", toy.scores("river sea").max())]
    assert toy.search_many(["birds", "fish"], 2) == [toy.search("birds", 2), toy.search("fish", 2)]
    assert len(toy) == 5


def test_scores_equal_lucene_formula_and_raw_bm25s(toy: BM25Index) -> None:
    bm25s = pytest.importorskip("bm25s")
    tokenizer = Tokenizer("english")
    docs = tokenizer.many(TEXTS)
    raw = bm25s.BM25(k1=1.2, b=0.75, method="lucene")
    raw.index(docs, show_progress=False)
    for query in ("cat dog", "the cats sleep at dawn", "sofa sofa dog", "migrate"):
        ours = toy.scores(query).tolist()
        assert ours == raw.get_scores(tokenizer(query)).tolist()
        assert ours == pytest.approx(lucene_bm25(tokenizer(query), docs), rel=1e-6)
        hits = toy.search(query, 10)
        assert [s for _, s in hits] == sorted((s for s in ours if s > 0), reverse=True)


def test_english_stopwords_are_lucenes() -> None:
    stopwords = pytest.importorskip("bm25s.stopwords")
    assert ENGLISH_STOPWORDS == set(stopwords.STOPWORDS_EN) and len(ENGLISH_STOPWORDS) == 33


def test_params_reach_the_scores() -> None:
    docs = Tokenizer(None, None).many(TEXTS)
    index = BM25Index.build(IDS, TEXTS, k1=0.9, b=0.4, stemmer=None, stopwords=None)
    assert index.scores("the cat").tolist() == pytest.approx(lucene_bm25(["the", "cat"], docs, 0.9, 0.4), rel=1e-6)
    assert index.params["k1"] == 0.9 and index.params["stemmer"] is None


def test_unicode_tokenizer() -> None:
    plain = Tokenizer(stemmer=None, stopwords=None)
    assert plain("Привет, мир! Καλημέρα κόσμε — naïve café, the ﬁsh") == [
        "привет", "мир", "καλημέρα", "κόσμε", "naïve", "café", "the", "fish"]  # NFKC: ﬁ -> fi
    assert plain("STRASSE") == plain("straße") == ["strasse"]  # casefold
    assert Tokenizer()("The running dogs") == ["run", "dog"]  # English stopwords + Snowball
    russian = Tokenizer("russian", stopwords=None)
    assert russian("книга") == russian("книги") == russian("КНИГУ")
    greek = Tokenizer("greek", stopwords=None)
    assert greek("ΚΑΛΗΜΕΡΑ") == greek("καλημέρα")
    assert Tokenizer(stopwords=["Cats", "purr"])("cats purr loudly") == ["loud"]


def test_non_latin_corpus_is_searchable() -> None:
    index = BM25Index.build(["ru", "el", "en"], ["Отчёт о продажах за квартал", "Ετήσια έκθεση πωλήσεων",
                                                 "Quarterly sales report"], stemmer=None)
    assert index.search("ПРОДАЖАХ", 3)[0][0] == "ru"
    assert [d for d, _ in index.search("έκθεση", 3)] == ["el"]
    assert index.search("report", 3)[0][0] == "en"


def test_empty_and_oversized_queries(toy: BM25Index) -> None:
    assert toy.search("", 5) == []
    assert toy.search("   ,;  ", 5) == []
    assert toy.search("the and of", 5) == []  # stopwords only
    assert toy.search("zebra", 5) == []  # no indexed term
    assert len(toy.search("the cat dog birds fish river", 1000)) == 5  # k larger than the corpus
    with pytest.raises(ValueError):
        toy.search("cat", 0)


def test_build_errors() -> None:
    with pytest.raises(ValueError, match="empty corpus"):
        BM25Index.build([], [])
    with pytest.raises(ValueError, match="no document has an indexable term"):
        BM25Index.build(["a", "b"], ["", "the of and"])
    with pytest.raises(ValueError, match="ids for"):
        BM25Index.build(["a"], ["x", "y"])
    with pytest.raises(ValueError, match="unique"):
        BM25Index.build(["a", "a"], ["x", "y"])
    with pytest.raises(ValueError, match="no Snowball stemmer"):
        BM25Index.build(["a"], ["x"], stemmer="klingon")
    with pytest.raises(ValueError, match="stopword list"):
        BM25Index.build(["a"], ["x"], stopwords="klingon")


def test_save_load_round_trip(tmp_path: Path, toy: BM25Index) -> None:
    toy.save(tmp_path / "bm25")
    loaded = BM25Index.load(tmp_path / "bm25")
    assert loaded.ids == toy.ids and len(loaded) == len(toy) and loaded.params == toy.params
    for query in ("cats", "dog sofa", "", "birds migrate in winter"):
        assert loaded.search(query, 10) == toy.search(query, 10)
    custom = BM25Index.build(IDS, TEXTS, stemmer=None, stopwords=["cats"], k1=2.0)
    custom.save(tmp_path / "custom")
    again = BM25Index.load(tmp_path / "custom")
    assert again.params == custom.params and again.search("cats dog", 5) == custom.search("cats dog", 5)
    assert again.model.k1 == 2.0


def test_load_refuses_tampered_or_half_written_set(tmp_path: Path, toy: BM25Index) -> None:
    folder = tmp_path / "bm25"
    toy.save(folder)
    manifest = json.loads((folder / MANIFEST_FILE).read_text())
    data_file = next(name for name in manifest["sha256"] if name.startswith("data"))
    original = (folder / data_file).read_bytes()
    (folder / data_file).write_bytes(original[:-4] + b"\0\0\0\1")
    with pytest.raises(ValueError, match="does not match"):
        BM25Index.load(folder)
    (folder / data_file).write_bytes(original)
    BM25Index.load(folder)
    # another index's save killed before its manifest: new data files, the old manifest
    BM25Index.build(IDS[:2], TEXTS[:2]).save(tmp_path / "other")
    (folder / "ids.json").write_bytes((tmp_path / "other" / "ids.json").read_bytes())
    with pytest.raises(ValueError, match="ids.json does not match"):
        BM25Index.load(folder)
    (folder / MANIFEST_FILE).write_text(json.dumps({**manifest, "format": "other"}))
    with pytest.raises(ValueError, match="manifest"):
        BM25Index.load(folder)
