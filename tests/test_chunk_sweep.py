"""Unit tests: document ranking by best chunk, the chunk size sweep and its knee."""

import numpy as np

from rag_eval_assets.lib.embedding import HashingEmbedder
from rag_eval_assets.lib.evaluation.chunk_sweep import (
    chunk_size_sweep,
    knee,
    rank_documents,
)


def test_rank_documents_max_pools_chunks():
    chunks = np.array([[1, 0], [0, 1], [0.9, 0.1]], dtype=np.float32)
    ranked = rank_documents(np.array([[1, 0]], dtype=np.float32), chunks, ["a", "b", "a"])
    assert ranked == [["a", "b"]]


def test_sweep_rows_and_knee():
    texts = {"vpn": "The VPN gateway rekeys IKE security associations every eight hours. " * 20,
             "bill": "Invoices are issued on the first business day of each month. " * 20}
    queries = {"q1": "How often does the VPN gateway rekey IKE security associations?",
               "q2": "When are invoices issued?", "q3": "unjudged"}
    qrels = {"q1": {"vpn": 1}, "q2": {"bill": 1}}
    rows = chunk_size_sweep(texts, queries, qrels, HashingEmbedder().embed, sizes=(32, 64), overlaps=(0.0, 0.2), k=1)
    assert [(r["size"], r["overlap"]) for r in rows] == [(32, 0.0), (32, 0.2), (64, 0.0), (64, 0.2)]
    assert all(r["queries"] == 2 and r["recall@1"] == 1.0 for r in rows)
    assert rows[0]["chunks"] > rows[2]["chunks"]
    assert knee(rows, "recall@1") == rows[0]
    fake = [{"size": 128, "overlap": 0.0, "m": 0.90}, {"size": 256, "overlap": 0.1, "m": 0.995},
            {"size": 512, "overlap": 0.0, "m": 1.0}]
    assert knee(fake, "m")["size"] == 256 and knee([], "m") is None
