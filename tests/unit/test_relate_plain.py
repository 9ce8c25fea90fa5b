"""The incremental relate without scipy: numpy kernels with scipy's sums, a state of plain arrays,
and a new process that relates after an edit without importing scipy.sparse."""
from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from digest import relate_matrix as rm
from digest.config import RelatedConfig
from digest.relate import relate, relate_with

sp = pytest.importorskip("scipy.sparse")

ROOT = Path(__file__).resolve().parents[2]


def _random(rows: int, cols: int, density: float, seed: int):  # type: ignore[no-untyped-def]
    m = sp.random(rows, cols, density=density, format="csr", dtype=np.float32, random_state=seed)
    m.data[:] = np.random.default_rng(seed).random(m.nnz, dtype=np.float32) + np.float32(1e-3)
    m.sort_indices()
    return m


def _numpy_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rm, "scipy_loaded", lambda: False)


def test_row_products_are_scipys_sums_bit_for_bit(monkeypatch: pytest.MonkeyPatch) -> None:
    _numpy_only(monkeypatch)
    x, p = _random(300, 500, 0.08, 1), _random(200, 500, 0.1, 2)
    docs = np.array([5, 0, 199, 17, 5])
    want = (x @ p[docs].T).toarray()
    got = rm.row_products(rm.Csr.of(x), None, rm.Csr.of(p), docs)
    assert got.dtype == np.float32 and got.tobytes() == want.astype(np.float32).tobytes()
    rows = np.array([3, 250, 3, 0])
    assert rm.row_products(rm.Csr.of(x), rows, p, docs).tobytes() == (x[rows] @ p[docs].T).toarray().tobytes()


def test_a_few_rows_product_is_scipys_kernel_bit_for_bit(monkeypatch: pytest.MonkeyPatch) -> None:
    _numpy_only(monkeypatch)
    x, p = _random(40, 300, 0.2, 3), _random(250, 300, 0.15, 4)
    pt = rm._int32_csr(p.T.tocsr())
    ip, ind, dat = rm._product(rm.Csr.of(x), rm.Csr.of(pt), np.diff(pt.indptr))
    got = sp.csr_matrix((dat, ind, ip), shape=(40, 250)).toarray()
    assert got.tobytes() == (x @ pt).toarray().tobytes()
    docs, scores = rm.top_neighbours(rm.Csr.of(x), rm.Csr.of(pt), 7, [0, 5, 39], block=2)
    monkeypatch.setattr(rm, "scipy_loaded", lambda: True)
    docs2, scores2 = rm.top_neighbours(x, pt, 7, [0, 5, 39], block=2)
    assert (docs == docs2).all() and scores.tobytes() == scores2.tobytes()


def test_plain_csr_arrays_splice_transpose_and_pickle() -> None:
    x = _random(30, 40, 0.2, 5)
    c = rm.Csr.of(x)
    t = rm.transpose(c)
    want = x.T.tocsr()
    assert (t.indptr == want.indptr).all() and (t.indices == want.indices).all() and t.data.tobytes() == want.data.tobytes()
    back = pickle.loads(pickle.dumps(c))
    assert isinstance(back, rm.Csr) and (back.toarray() == x.toarray()).all()  # other attributes: scipy's
    rows = np.array([4, 0, 29, 4])
    assert (c.rows(rows).toarray() == x[rows].toarray()).all()
    spliced = rm.splice_rows(c, np.array([2, -1, 0, 1]), rm.Csr.of(x[[7]]), 40)
    assert (spliced.toarray() == x[[2, 7, 0, 1]].toarray()).all()
    counts = rm._sum_repeats(np.array([0, 1, 0, 0]), np.array([3, 2, 3, 1]), np.array([1.0, 2.0, 2.0, 1.0], np.float32), (2, 5))
    assert counts is not None and (counts.toarray() == [[0, 1, 0, 3, 0], [0, 0, 2, 0, 0]]).all()
    assert rm._sum_repeats(np.array([0]), np.array([1]), np.array([0.5], np.float32), (1, 2)) is None


def test_pair_dots_are_scipys_row_sums_of_the_products() -> None:
    x = _random(60, 80, 0.3, 6)
    rng = np.random.default_rng(7)
    i, j = rng.integers(0, 60, 500), rng.integers(0, 60, 500)
    want = np.asarray(x[i].multiply(x[j]).sum(axis=1), dtype=np.float64).ravel()
    assert rm.pair_dots(x, i, j, step=64).tobytes() == want.tobytes()
    assert rm.pair_dots(rm.Csr.of(x), np.array([], dtype=np.int64), np.array([], dtype=np.int64)).shape == (0,)


def _corpus():  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from test_relate_incremental import _start

    return _start(31, n=120, words=200)


def test_an_edit_with_numpy_only_gives_the_lists_of_a_full_run(monkeypatch: pytest.MonkeyPatch) -> None:
    from dataclasses import replace

    from digest.model import Block

    cfg = RelatedConfig(count=4, min_score=0.02)
    gen, articles = _corpus()
    _, state = relate_with(articles, cfg, None)
    _numpy_only(monkeypatch)
    for step in range(4):
        i = (step * 37) % len(articles)
        paras = [b.text for b in articles[i].body]
        paras[-1] += " " + gen.sentence(articles[i].section or "World")
        articles[i] = replace(articles[i], body=tuple(Block("p", p) for p in paras))
        out, state = relate_with(articles, cfg, pickle.loads(pickle.dumps(state)))
        assert out == relate(articles, cfg)
        assert isinstance(state.index.vectors, rm.Csr) and isinstance(state.counts, rm.Csr)


def test_a_new_process_relates_an_edit_without_importing_scipy(tmp_path: Path) -> None:
    cfg = RelatedConfig(count=4, min_score=0.02)
    gen, articles = _corpus()
    _, state = relate_with(articles, cfg, None)
    from dataclasses import replace

    from digest.model import Block

    paras = [b.text for b in articles[9].body]
    paras[0] += " " + gen.sentence(articles[9].section or "World")
    edited = list(articles)
    edited[9] = replace(articles[9], body=tuple(Block("p", p) for p in paras))
    (tmp_path / "in.pickle").write_bytes(pickle.dumps((state, edited, cfg)))
    code = (
        "import pickle, sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from digest import relate\n"
        f"state, edited, cfg = pickle.loads(open({str(tmp_path / 'in.pickle')!r}, 'rb').read())\n"
        "out, new = relate.relate_with(edited, cfg, state)\n"
        f"open({str(tmp_path / 'out.pickle')!r}, 'wb').write(pickle.dumps(out))\n"
        "print('scipy.sparse' in sys.modules)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == "False"
    assert pickle.loads((tmp_path / "out.pickle").read_bytes()) == relate(edited, cfg)


@pytest.mark.parametrize("seed, which", [(1, "SPARSE"), (6, "DEFAULT"), (8, "QUERY")])
def test_chained_states_with_the_numpy_kernels_give_a_full_runs_result(
    seed: int, which: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The chained-state property of test_relate_incremental, with the numpy kernels a new process
    uses (in a process that has scipy loaded, its kernels are used: the same sums)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import test_relate_incremental as inc

    from digest.relate import Tuning

    _numpy_only(monkeypatch)
    tuning = {"SPARSE": inc.SPARSE, "DEFAULT": Tuning(), "QUERY": inc.QUERY}[which]
    inc.test_chained_states_give_what_a_run_from_scratch_gives(seed, tuning, 300, [0])
