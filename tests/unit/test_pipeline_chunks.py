"""How a step's items are cut into chunks for the forked workers (digest/pipeline.py)."""
from __future__ import annotations

import pytest

from digest import pipeline


@pytest.mark.parametrize("n, jobs", [(1, 2), (7, 2), (200, 2), (1000, 3), (10_000, 2), (100_000, 4)])
def test_chunks_cover_the_items_in_order_and_shrink_towards_the_end(n: int, jobs: int) -> None:
    bounds = pipeline._chunks(n, jobs)
    assert bounds[0][0] == 0 and bounds[-1][1] == n
    assert all(end == start for (_, end), (start, _) in zip(bounds, bounds[1:]))
    sizes = [end - start for start, end in bounds]
    assert all(0 < size <= pipeline._CHUNK for size in sizes)
    assert sizes == sorted(sizes, reverse=True)
    # each chunk at most a quarter of a worker's share of what is left: the last ones are single items
    assert all(size <= max(1, (n - start) // (4 * jobs)) for (start, _), size in zip(bounds, sizes))
    assert sizes[-1] == 1


def test_ten_thousand_articles_go_in_full_chunks_until_the_last_thousand() -> None:
    sizes = [end - start for start, end in pipeline._chunks(10_000, 2)]
    full = sizes.count(pipeline._CHUNK)
    assert sum(sizes[:full]) > 9_000 and len(sizes) < 2 * full
