"""Unit tests of the numeric helpers of the relate stage (digest.relate_matrix)."""
from __future__ import annotations

import random

import numpy as np
import pytest
import scipy.sparse as sp

from digest import relate_matrix as rm
from digest.text import common_stems, stem, words


def _ties_matrix(seed: int, rows: int, cols: int) -> sp.csr_matrix:
    """A random sparse matrix with many equal weights (ties) and a few empty rows."""
    rng = np.random.default_rng(seed)
    m = sp.random(rows, cols, density=rng.uniform(0.05, 0.9), format="csr", random_state=seed, dtype=np.float32)
    m.data = (np.round(m.data * 3) / 3).astype(np.float32)
    m.eliminate_zeros()
    return m


def _same(a: sp.csr_matrix, b: sp.csr_matrix) -> bool:
    return (a.shape == b.shape and np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)
            and np.array_equal(a.data, b.data))


@pytest.mark.parametrize("seed", range(40))
def test_row_capping_by_partition_equals_capping_by_one_sort(seed: int) -> None:
    m = _ties_matrix(seed, 30, 60)
    for keep in (1, 2, 5, 17, 59):
        capped = rm.cap_terms(m, keep)
        assert _same(capped, rm._cap_terms_sorted(m, keep))
        assert np.diff(capped.indptr).max(initial=0) <= keep
        if np.diff(m.indptr).max(initial=0) > keep:
            assert capped.data is not m.data  # never the caller's arrays


def test_row_capping_keeps_the_heaviest_then_the_lower_columns() -> None:
    m = sp.csr_matrix(np.array([[0.5, 0.75, 0.5, 0.5, 0.125], [0.0, 0.25, 0.0, 0.0, 0.0]], dtype=np.float32))
    assert rm.cap_terms(m, 2).toarray().tolist() == [[0.5, 0.75, 0.0, 0.0, 0.0], [0.0, 0.25, 0.0, 0.0, 0.0]]


@pytest.mark.parametrize("seed", range(25))
def test_capped_postings_match_a_column_by_column_reference(seed: int) -> None:
    m = _ties_matrix(seed, 300, 20)
    m.resize((310, 20))  # empty rows at the end
    dense = m.toarray()
    for cap in (1, 3, 50):
        ref = np.zeros_like(dense)
        for j in range(dense.shape[1]):
            rows = sorted(np.flatnonzero(dense[:, j]), key=lambda i: (-dense[i, j], i))[:cap]
            ref[rows, j] = dense[rows, j]
        for group in (7, 37, 1 << 18):  # groups of columns: one, several, a column larger than a group
            assert np.array_equal(rm.cap_postings(m, cap, group=group).toarray(), ref)


def test_row_sums_count_flags_per_row_with_empty_rows() -> None:
    indptr = np.array([0, 0, 3, 3, 7, 7], dtype=np.int32)
    flags = np.array([1, 0, 1, 1, 1, 0, 1], dtype=bool)
    for step in (1, 2, 1 << 14):
        assert rm._row_sums(flags, indptr, step).tolist() == [0, 2, 0, 3, 0]


def test_merged_runs_of_sorted_terms_give_the_sorted_union_and_increasing_places() -> None:
    rnd = random.Random(4)
    pool = ["".join(rnd.choice("abc:é’ ") for _ in range(rnd.randint(1, 6))) for _ in range(400)]
    runs = [sorted(set(rnd.sample(pool, 150))) for _ in range(3)]
    terms, places = rm.merge_terms(runs)
    union = sorted(set().union(*runs))
    assert list(terms) == union
    for run, place in zip(runs, places):
        assert [union[p] for p in place.tolist()] == run
        assert np.all(np.diff(place) > 0)
    assert list(rm.merge_terms([])[0]) == []


def test_counts_in_shares_equal_counts_in_one_pass() -> None:
    rnd = random.Random(9)
    vocab = ["alpha", "beta", "gammas", "delta's", "echoing", "foxtrot", "golf", "hotel", "india", "x-ray"]

    class A:  # the fields counting reads
        def __init__(self, k: int) -> None:
            self.title = " ".join(rnd.choice(vocab) for _ in range(3)) + f" t{k % 7}"
            self.body_text = " ".join(rnd.choice(vocab) + rnd.choice(["", "", f"q{k}"]) for _ in range(30))
            self.standfirst, self.sentences = "", ()
            self.keyphrases, self.entities, self.tags = (), (), ()

    arts = [A(k) for k in range(40)]
    one, t1, e1, _ = rm._count_all(arts, 2.0, 8, 1, 3)
    two, t2, e2, _ = rm._count_all(arts, 2.0, 8, 3, 3)
    assert isinstance(t1, rm.TermList) and isinstance(t2, rm.TermList)
    assert list(t1) == list(t2) == sorted(t1)
    assert _same(sp.vstack(one, format="csr"), sp.vstack(two, format="csr"))
    assert np.array_equal(e1, e2)


def test_flags_of_a_term_list_equal_the_flags_of_each_term() -> None:
    rnd = random.Random(3)
    pool = list(common_stems())[:40] + ["k:foo", "k:", "e:", "e:a b", "t:x", "k;z", "e;", "j:q", "a", "t:", "t;", "u:"]
    pool += ["".join(rnd.choice("abe:kt; ") for _ in range(rnd.randint(1, 5))) for _ in range(2000)]
    terms = sorted(set(pool))
    tl = rm.TermList(terms)
    assert np.array_equal(rm.common_flags(tl), rm.common_flags(list(terms)))
    assert np.array_equal(rm.kind_flags(tl, 0.5, 0.25, 0.3), rm.kind_flags(list(terms), 0.5, 0.25, 0.3))
    assert list(rm.TermList([f"w{i:06d}" for i in range(70_000)])) == [f"w{i:06d}" for i in range(70_000)]


def test_counts_are_kept_in_the_smallest_exact_type() -> None:
    class A:
        def __init__(self, title: str, body: str) -> None:
            self.title, self.body_text, self.standfirst, self.sentences = title, body, "", ()
            self.keyphrases, self.entities, self.tags = (), (), ()

    small = [A("red fox", "red fox jumps"), A("blue fox", "blue fox sleeps")]
    many = small + [A("red", " ".join(["red"] * 300))]
    assert rm.build_vectors(small, 2.0, 0.5, 20, 0.5, 0.25, 0.25).counts.dtype == np.uint8
    assert rm.build_vectors(many, 2.0, 0.5, 20, 0.5, 0.25, 0.25).counts.dtype == np.uint16
    assert rm.build_vectors(small, 1.5, 0.5, 20, 0.5, 0.25, 0.25).counts.dtype == np.float32


def test_code_points_past_the_first_table_are_classified_when_seen() -> None:
    text = "Tōkyō 東京 Ωmega ɐbc 𝔘nicode x.y-z&w it’s \U000e0041"
    tk = rm.tokenize([text, "plain"])
    assert [tk.word(k) for k in range(len(tk.start))] == words(text) + ["plain"]


def test_texts_are_lower_cased_as_python_does_with_or_without_its_special_cases() -> None:
    """Texts are lower-cased one code point at a time by a table, except a batch with U+0130 or
    U+03A3 (whose lower case Python makes longer, or by the neighbours): the same words and
    hashes either way, and the words numbered in a vocabulary are the lower-case ones."""
    plain = ["ÄRGER Ärger ärger Ünïcode ÉCOLE \u212aELVIN Tōkyō ΩMEGA ДОМ 𝔘nicode Ǆungla ǅ",
             "The CAFÉ’S Owner, AT&T-LED"]
    special = plain + ["ΟΔΟΣ İSTANBUL"]
    for texts in (plain, special):
        tk = rm.tokenize(texts)
        want = [w for t in texts for w in words(t)]
        assert [tk.word(k) for k in range(len(tk.start))] == want
        assert tk.word(0) == tk.word(1) == tk.word(2) == "ärger"
        assert len({int(tk.hashes[k]) for k in range(3)}) == 1
    a, b = rm.tokenize(plain), rm.tokenize(special)
    assert np.array_equal(a.hashes, b.hashes[: len(a.hashes)])
    vocab = rm.Vocabulary()
    cols = vocab.table.columns(rm.tokenize(["ÄRGER Ärger", "\u212aELVIN kelvin"]), vocab)
    assert cols[0] == cols[1] == vocab.columns["ärger"] and cols[2] == cols[3] == vocab.columns["kelvin"]
    cols = vocab.table.columns(rm.tokenize(["MARKET Rally", "market"]), vocab)  # ASCII: words kept as they are
    assert cols[0] == cols[2] == vocab.columns["market"] and cols[1] == vocab.columns["rally"]
    # each word stemmed as stem() does, in a text that is not all ASCII
    cols = vocab.table.columns(rm.tokenize(["Café’s MARKETS rallied; naïve régimes", "Owner’s passes reportedly"]), vocab)
    assert cols.tolist() == [vocab.columns[stem(w)] for w in ["café's", "markets", "rallied", "naïve", "régimes",
                                                              "owner's", "passes", "reportedly"]]


def _weigh_reference(counts: sp.csr_matrix, w: rm.Weights) -> sp.csr_matrix:
    """The earlier implementation of :func:`rm.weigh` (one copy of the matrix, zeros eliminated)."""
    m = counts.copy().astype(np.float64)
    if m.shape[1] < len(w.idf):
        m.resize((m.shape[0], len(w.idf)))
    tf = m.data
    m.data = np.where(tf >= 1.0, 1.0 + np.log(np.maximum(tf, 1.0)), tf) * w.idf[m.indices]
    lens = np.diff(m.indptr)
    rows = np.repeat(np.arange(m.shape[0]), lens)
    norms = np.sqrt(np.bincount(rows, weights=m.data * m.data, minlength=m.shape[0]))
    norms[norms == 0] = 1.0
    m.data /= np.repeat(norms, lens)
    m.data[~w.links[m.indices]] = 0.0
    m.eliminate_zeros()
    out = m.astype(np.float32)
    out.sort_indices()
    return out


@pytest.mark.parametrize("seed", range(12))
def test_weighing_equals_the_reference_bit_for_bit_and_leaves_the_counts_alone(seed: int) -> None:
    rng = np.random.default_rng(seed)
    counts = _ties_matrix(seed, 40, 30)
    counts.data = np.round(counts.data * 6).astype(np.float32)  # whole counts, some zero (explicit)
    counts.resize((42, 30))
    df = np.diff(counts.tocsc().indptr).astype(np.int64)
    common = rng.random(30) < 0.2
    w = rm.weights_of(42, np.concatenate([df, [0, 3]]), np.concatenate([common, [False, False]]), np.ones(32), 0.5, 20)
    before = (counts.data.copy(), counts.indices.copy(), counts.indptr.copy())
    got = rm.weigh(counts, w)
    assert _same(got, _weigh_reference(counts, w)) and got.shape == (42, 32)
    assert all(np.array_equal(a, b) for a, b in zip(before, (counts.data, counts.indices, counts.indptr)))


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("cells", [7, 100_000])
def test_hits_at_least_a_floor_are_the_products_scores_at_or_above_it(seed: int, cells: int) -> None:
    """Every score of ``x @ p[docs].T`` at or above its row's floor, bit for bit the product's (in
    blocks of rows or in one), and no other."""
    rng = np.random.default_rng(seed)
    x, p = _ties_matrix(seed, 40, 30), _ties_matrix(seed + 100, 50, 30)
    docs = np.sort(rng.choice(50, size=int(rng.integers(1, 50)), replace=False))
    dense = np.asarray((x @ p[docs].T).toarray(), dtype=np.float32)
    tiny = np.finfo(np.float32).smallest_subnormal
    floor = rng.choice(np.array([tiny, np.inf, *np.quantile(dense[dense > 0], [0.25, 0.5, 0.9])], dtype=np.float32), 40)
    r, c, v = rm.hits_at_least(rm.Csr.of(x), rm.Csr.of(p), docs, floor, cells=cells)
    got = set(zip(r.tolist(), c.tolist(), v.tolist()))
    want_r, want_c = np.nonzero(dense >= floor[:, None])
    assert len(got) == len(r)
    assert got == set(zip(want_r.tolist(), want_c.tolist(), dense[want_r, want_c].tolist()))
    assert v.dtype == np.float32


def test_neighbours_shared_among_processes_are_those_of_one_process(monkeypatch) -> None:
    import numpy as np
    import scipy.sparse as sp

    from digest import relate_matrix as rm

    rng = np.random.default_rng(7)
    x = sp.random(300, 80, density=0.08, random_state=rng, format="csr", dtype=np.float32)
    x.sort_indices()
    pt = rm.cap_postings(x, 20).T.tocsr()
    one = rm.top_neighbours(x, pt, 12, block=16)
    # rows taken 7 at a time (the last take is short) by whichever process is free first
    monkeypatch.setattr(rm, "_SHARE_ROWS", 7)
    two = rm.top_neighbours_parallel(x, pt, 12, 16, 2)
    assert (one[0] == two[0]).all() and (one[1] == two[1]).all()
    assert (one[0] >= 0).any() and (one[0] == -1).any()


def test_work_started_aside_gives_its_result_or_its_failure() -> None:
    import os
    import threading

    assert rm.started(sorted, ([3, 1, 2],))() == [1, 2, 3]
    assert rm.started(os.getpid, ())() != os.getpid()  # done by a child process
    with pytest.raises(RuntimeError, match="ValueError"):
        rm.started(int, ("x",))()
    # another thread running: forking is unsafe, the work is done here
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert rm.started(os.getpid, ())() == os.getpid()
    finally:
        stop.set()
        other.join()


def _best_by_brute_force(x: sp.csr_matrix, pt: sp.csr_matrix, count: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's best ``count`` other documents scoring above 0, by (-score, document), from the
    whole product (scipy's sums, as top_neighbours makes them)."""
    dense = np.asarray((x @ pt).toarray(), dtype=np.float32)
    docs = np.full((x.shape[0], count), -1, dtype=np.int32)
    scores = np.zeros((x.shape[0], count), dtype=np.float32)
    for r in range(x.shape[0]):
        dense[r, r] = 0.0
        found = sorted((-float(v), d) for d, v in enumerate(dense[r].tolist()) if v > 0)[:count]
        docs[r, : len(found)] = [d for _, d in found]
        scores[r, : len(found)] = [-v for v, _ in found]
    return docs, scores


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("count", [1, 3, 12])
def test_neighbours_are_each_rows_best_by_score_then_document(seed: int, count: int) -> None:
    """Rows with many candidates (past the sampled bound of ``_select``) and few, many ties: the
    best ``count`` by score, ties to the lower document, and a list of ``4 × count`` starts with
    the list of ``count``."""
    def part(rows: int, density: float, at: int) -> sp.csr_matrix:
        m = sp.random(rows, 30, density=density, format="csr", random_state=seed + at, dtype=np.float32)
        m.data = (np.ceil(m.data * 3) / 3).astype(np.float32)  # many ties
        return m

    # rows with hundreds of candidates, and rows with a few (their terms are theirs alone)
    x = sp.block_diag([part(300, 0.5, 0), part(100, 0.05, 1)], format="csr")
    x.sort_indices()
    pt = rm.cap_postings(x, 300).T.tocsr()
    docs, scores = rm.top_neighbours(x, pt, count, block=16)
    want_docs, want_scores = _best_by_brute_force(x, pt, count)
    assert np.array_equal(docs, want_docs) and np.array_equal(scores, want_scores)
    candidates = np.asarray((x @ pt > 0).sum(axis=1)).ravel()
    assert (candidates >= 2 * rm._SAMPLE * count).any() and (candidates < 2 * rm._SAMPLE * count).any()
    wide_docs, wide_scores = rm.top_neighbours(x, pt, 4 * count, block=7)
    assert np.array_equal(wide_docs[:, :count], docs) and np.array_equal(wide_scores[:, :count], scores)


def test_shingles_of_a_batch_are_each_texts_own() -> None:
    """Texts shingled together give each text's own shingles (none across two texts), sorted and
    distinct, and none for a text shorter than a shingle."""
    texts = ["one two three four five six one two three four five six",
             "Short text", "", "alpha beta gamma delta epsilon", "x " * 30, "zeta eta theta iota kappa lambda"]
    memo = rm.WordHashes()
    batch = rm.shingle_batch(texts, 5, memo)
    for text, got in zip(texts, batch):
        ws = words(text)
        n = len({tuple(ws[i : i + 5]) for i in range(len(ws) - 4)})
        assert len(got) == n and got.dtype == np.uint64
        assert np.array_equal(got, np.unique(got))
        assert np.array_equal(got, rm.shingle_batch([text], 5, memo)[0])
    assert len(batch[0]) == 6 and len(batch[1]) == len(batch[2]) == 0 and len(batch[4]) == 1
    assert not np.intersect1d(batch[3], batch[5]).size  # no shingle spans two texts


@pytest.mark.parametrize("group", [16, 3, 1])
def test_shingles_from_the_counting_pass_are_each_texts_own(group: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The shingles the counting pass makes (from the words it hashed, several batches of texts,
    made group by group) are each text's :func:`rm.shingle_hashes`, asked in any order and more
    than once; none when not asked for, or when the work is shared among processes."""
    monkeypatch.setattr(rm, "_SHINGLE_GROUP", group)

    class A:  # the fields counting reads
        def __init__(self, title: str, body: str, standfirst: str = "") -> None:
            self.title, self.body_text, self.standfirst, self.sentences = title, body, standfirst, ()
            self.keyphrases, self.entities, self.tags = (), (), ()

    rnd = random.Random(5)
    vocab = ["Alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "Café’s", "x-ray"]
    arts = [A("Title words here", " ".join(rnd.choice(vocab) for _ in range(rnd.randint(0, 40))),
              rnd.choice(["", "A standfirst of six words here"])) for _ in range(30)]
    arts += [A("Short", "one two three four"), A("Empty", ""), A("Repeats", "x " * 30), A("Five", "a b c d e")]
    memo = rm.WordHashes()
    want = [rm.shingle_hashes(rm.doc_text(a), 5, memo) for a in arts]
    texts = rm.build_vectors(arts, 2.0, 0.5, 20, 0.5, 0.25, 0.25, chunk=7, shingle=5).shingles
    assert texts is not None and len(texts) == len(arts) and len(texts.words) == 5
    for d in [33, 3, 3, 30, 0, 31, 32, 17] + list(range(len(arts))):
        got = texts.of(d)
        assert got.dtype == np.uint64 and np.array_equal(got, want[d]), d
    assert len(texts.made) == sum(-(-n // group) for n in (7, 7, 7, 7, 6))  # every group of every batch
    assert len(texts.of(30)) == len(texts.of(31)) == 0 and len(texts.of(32)) == len(texts.of(33)) == 1
    assert rm.build_vectors(arts, 2.0, 0.5, 20, 0.5, 0.25, 0.25, chunk=7).shingles is None
    assert rm.build_vectors(arts, 2.0, 0.5, 20, 0.5, 0.25, 0.25, chunk=7, workers=2, shingle=5).shingles is None


def test_keyphrases_entities_and_tags_are_counted_by_key() -> None:
    """A keyphrase or tag counts 1, an entity its count (at least 1), each under the key of its
    name (names that differ in case or spacing share a column); names with no word count nothing."""
    from digest.model import Article, Entity

    arts = [
        Article(source="a.txt", format="text", slug="a", title="Alpha", keyphrases=("Green  Energy", "—"),
                entities=(Entity("New York", "place", 3), Entity("new york", "place", 0), Entity("?!", "org", 2)),
                tags=("green energy",)),
        Article(source="b.txt", format="text", slug="b", title="Beta", keyphrases=("green energy",),
                entities=(Entity("Paris", "place", 1),), tags=("Climate", "climate")),
        Article(source="c.txt", format="text", slug="c", title="Gamma"),
    ]
    vocab = rm.Vocabulary()
    m = rm.count_terms(arts, vocab, 2.0)
    got = {(r, t): float(m[r, c]) for t, c in vocab.columns.items() for r in range(3) if m[r, c]}
    assert got == {
        (0, "alpha"): 2.0, (0, "k:green energy"): 1.0, (0, "e:new york"): 4.0, (0, "t:green energy"): 1.0,
        (1, "beta"): 2.0, (1, "k:green energy"): 1.0, (1, "e:paris"): 1.0, (1, "t:climate"): 2.0,
        (2, "gamma"): 2.0,
    }
    assert rm.count_terms(arts, rm.Vocabulary(), 2.0, plain=True).toarray().tolist() == m.toarray().tolist()
