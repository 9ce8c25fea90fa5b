"""The search index: rows written once as JSON give the same script as the whole index encoded at once."""
from __future__ import annotations

import json

from digest import search

_ROWS = [
    # characters the script escapes, quotes, backslashes, text outside Latin-1 and outside the BMP
    ('Rates <b>rise</b> & “fall” "again" \\ é 𝄞', "rates", "2025-03-07", "It ends </script> \u2028 and \u2029.", ("A&B", "Économie"), "Business"),
    ("No tags", "bare", "2025-03-06", "", (), None),
    ("Shared tag", "shared", "2025-03-05", "Text.", ("Économie", "x<y"), "World"),
    ("Same section", "again", "2025-03-04", "More.", ("A&B",), "Business"),
] + [(f"Story {i}", f"story-{i}", "2025-01-01", "Words.", tuple(f"t{j}" for j in range(i % 5)), "Sport") for i in range(25)]


def test_rows_written_once_give_the_script_of_the_whole_index():
    assert search.index_script([search.encode_row(r) for r in _ROWS]) == search.search_index_js(search.index_from_rows(_ROWS))
    assert search.index_script([]) == search.search_index_js(search.index_from_rows([]))


def test_the_script_is_the_index_and_closes_no_script_element():
    script = search.index_script([search.encode_row(r) for r in _ROWS]).decode("utf-8")
    assert script.startswith("window.DIGEST_SEARCH=") and script.endswith(";\n")
    for raw in ("<", ">", "&", "\u2028", "\u2029"):
        assert raw not in script
    index = json.loads(script[len("window.DIGEST_SEARCH="): -2])
    assert index == json.loads(json.dumps(search.index_from_rows(_ROWS)))
    assert index["docs"][0][:4] == list(_ROWS[0][:4]) and [index["tags"][t] for t in index["docs"][0][4]] == ["A&B", "Économie"]
    assert index["docs"][1][4:] == [[], -1]


def test_an_encoded_row_changes_with_each_part_of_its_row():
    base = search.encode_row(_ROWS[0])
    assert search.encode_row(_ROWS[0]) == base
    for i, other in enumerate(("x", "y", "2020-01-01", "z", ("Other",), "Sport")):
        changed = list(_ROWS[0])
        changed[i] = other
        assert search.encode_row(tuple(changed)) != base, i
