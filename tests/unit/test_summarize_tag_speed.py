"""Rewrites made for speed in summarise and tag give what the code they replaced gave."""
from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from digest import summarize as summ
from digest import tag as tagmod
from digest.model import Article
from digest.text import split_sentences


def _sparse_rows(rng: np.random.Generator, n: int, cols: int, density: float, unit: bool) -> np.ndarray:
    m = rng.random((n, cols)) * (rng.random((n, cols)) < density) * rng.uniform(0.1, 10.0)
    if unit:
        m = m / np.maximum(np.sqrt((m * m).sum(axis=1)), 1e-9)[:, None]
    return m[:, (m != 0).sum(axis=0) > 1]


def test_sparse_gram_is_scipys_sparse_product_to_the_bit() -> None:
    sparse = pytest.importorskip("scipy.sparse")
    rng = np.random.default_rng(7)
    checked = 0
    for k in range(60):
        m = _sparse_rows(rng, int(rng.integers(2, 260)), int(rng.integers(1, 500)), float(rng.uniform(0.005, 0.2)), k % 2 == 1)
        if not m.shape[1]:
            continue
        sp = sparse.csr_matrix(m)
        want = (sp @ sp.T).toarray()
        np.fill_diagonal(want, 0.0)
        got = summ._sparse_gram(m)
        assert got.tobytes() == want.tobytes()
        checked += 1
    assert checked > 40


def test_sparse_gram_small_cases() -> None:
    rows = np.array([[1.0, 0.0, 2.0], [3.0, 0.0, 0.0], [0.5, 4.0, 1.0], [0.0, 2.0, 0.0]])
    got = summ._sparse_gram(rows)
    want = rows @ rows.T
    np.fill_diagonal(want, 0.0)
    assert got.tolist() == want.tolist()
    assert summ._sparse_gram(np.zeros((3, 2))).tolist() == [[0.0] * 3] * 3


def test_long_article_takes_the_sparse_path_and_summarises() -> None:
    words = "harbour storm council flood rescue water families district defences rain boats town".split()
    sentences = tuple(f"The {words[i % 12]} and the {words[(i * 5) % 12]} report number {i} said {words[(i * 7) % 12]} things today."
                      for i in range(150))
    from digest.text import corpus_stats

    stats = corpus_stats(sentences)
    doc = summ.make_doc(sentences, "Storm floods the harbour", stats)
    dense = summ.make_doc(sentences[:100], "Storm floods the harbour", stats)  # the small product
    assert doc.similarity.shape == (150, 150) and np.allclose(doc.similarity[:100, :100], dense.similarity)
    assert np.allclose(doc.overlap[:100, :100], dense.overlap)
    assert len(summ.summarize_sentences(sentences, "Storm floods the harbour", stats, 3)) == 3


def _make(title: str, text: str) -> Article:
    sentences = tuple(s for para in text.split("\n") for s in split_sentences(para))
    return Article(source="t.txt", format="text", slug="t", title=title, sentences=sentences)


def test_sentence_start_capital_before_a_capital_is_a_name_unless_written_lower_elsewhere() -> None:
    # "Harbour" opens a sentence before another capital: a name only if never written "harbour".
    named = _make("", "Harbour Bank opened today in the town. The bank lends to boats.")
    plain = _make("", "Harbour Bank opened today in the town. The harbour lends to boats.")
    assert tagmod._read(named).shape.lstrip("|").startswith("NN")
    assert tagmod._read(plain).shape.lstrip("|").startswith("nN")


def test_section_counts_match_counting_each_part_in_turn() -> None:
    a = _make("Bank raises interest rates as inflation climbs",
              "The central bank raised interest rates on Tuesday.\nShares fell and the stock market slipped as investors sold.")
    doc = tagmod._read(a)
    cues = tagmod.default_section_cues()
    index, firsts, longest = tagmod._default_indexed()
    keys = doc.keys
    n_title = sum(1 for p in doc.pos if p < 1)
    n_lead = sum(1 for p in doc.pos if p < 1 + sum(1 for k in doc.unit_kind if k == "standfirst"))
    counts: Counter = Counter()
    for part in (keys, keys[:n_lead], keys[:n_title]):
        counts.update(k for k in part if k in index)
        counts.update(p for p in (tuple(part[i : i + n]) for n in range(2, longest + 1) for i in range(len(part) - n + 1)) if p in index)
    import math

    want: dict[str, float] = {}
    for section in cues.cues:
        terms = sorted((order, weight * math.log1p(counts[key]), weight)
                       for key in counts for s, order, weight in index[key] if s == section)
        total = 0.0
        if len(terms) > 1 or (terms and terms[0][2] >= tagmod._STRONG_CUE):  # one plain cue alone counts nothing
            for _, term, _ in terms:
                total += term
        want[section] = total
    assert tagmod._section_scores(doc, cues) == want
    assert tagmod._pick_section(want, cues) == "Business"
