"""A project's own sections: ``tags.sections`` names a file of section cues (issue #5: "a
configurable list with defaults")."""
from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from digest import build, load_config
from digest.errors import ConfigError
from digest.pipeline import inspect
from digest.tag import read_section_cues
from digest.watch import kind_of, watch

from ..helpers import read_or_empty, wait_until

CUES = """default: Local
sections:
  Transport:
    strong: [bus, buses, tram, route, timetable]
    cues: [passengers, depot, driver]
  Local:
    strong: [council, library, mayor]
"""

BUS = """---
title: Night buses return to Route 9
date: 2024-07-08
---
The transit authority will run night buses on Route 9 again from Monday, with a new timetable.
Passengers asked for the service after the depot closed last year, the authority said.
Each bus will have a second driver on the late runs, and the trams keep their usual hours.
"""

MATCH = """---
title: United win the cup final
date: 2024-07-09
---
The striker scored twice as United won the cup final in front of a record crowd at the stadium.
The coach said the team had trained all season for the match, and the fans sang until midnight.
The league champions now face a busy season of fixtures, with the first match in August.
"""


def _project(make_project, cues: str = CUES) -> Path:
    return make_project({
        "digest.yaml": "tags:\n  sections: desk/sections.yaml\n",
        "desk/sections.yaml": cues,
        "content/bus.md": BUS,
        "content/match.md": MATCH,
    })


def _sections(root: Path) -> dict[str, str]:
    articles, _ = inspect(sorted((root / "content").glob("*.md")), load_config(root / "digest.yaml"))
    return {Path(a.source).stem: a.section for a in articles}


def test_the_project_cues_give_the_sections(make_project) -> None:
    root = _project(make_project)
    config = load_config(root / "digest.yaml")
    assert config.tags.sections == str((root / "desk" / "sections.yaml").resolve())
    sections = _sections(root)
    assert sections["bus"] == "Transport"
    assert sections["match"] == "Local"  # no cue of these sections: the file's default
    (root / "digest.yaml").write_text("")
    builtin = _sections(root)
    assert builtin["match"] == "Sport"
    assert builtin["bus"] != "Transport"


def test_editing_the_cues_retags_every_article_and_the_site_shows_it(make_project) -> None:
    root = _project(make_project)
    config = load_config(root / "digest.yaml")
    steps: dict[str, int] = {}
    build(config, progress=lambda step, count, seconds: steps.__setitem__(step, count))
    assert steps["summarised and tagged"] == 2
    assert (root / "site" / "sections" / "transport" / "index.html").is_file()
    build(config, progress=lambda step, count, seconds: steps.__setitem__(step, count))
    assert steps["summarised and tagged"] == 0  # nothing changed: all from the cache
    (root / "desk" / "sections.yaml").write_text(CUES.replace("Transport", "Getting Around"))
    build(config, progress=lambda step, count, seconds: steps.__setitem__(step, count))
    assert steps["summarised and tagged"] == 2  # other cues: other sections, so nothing is reused
    assert (root / "site" / "sections" / "getting-around" / "index.html").is_file()
    assert not (root / "site" / "sections" / "transport").exists()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("sections: [Transport, Local]\n", "expected 'sections:' mapping section names"),
        ("default: Local\n", "expected 'sections:' mapping section names"),
        ("sections:\n  Transport: [bus, tram]\n", "sections.Transport: expected 'sections:'"),
        ("sections:\n  Transport:\n    words: [bus]\n", "sections.Transport: expected 'sections:'"),
        ("sections:\n  Transport:\n    strong: bus\n", "sections.Transport.strong: expected a list of words or phrases"),
        ("sections:\n  Transport:\n    strong: [bus]\ndefault: [Local]\n", "default: expected a section name"),
        ("sections:\n  Transport:\n    strong: [bus\n", "line 4: invalid YAML"),
    ],
)
def test_a_bad_cues_file_is_a_config_error_naming_it(make_project, text: str, message: str) -> None:
    root = _project(make_project, text)
    with pytest.raises(ValueError, match=message.replace("[", r"\[")):
        read_section_cues(root / "desk" / "sections.yaml")
    with pytest.raises(ConfigError) as info:
        build(load_config(root / "digest.yaml"))
    (problem,) = info.value.problems
    assert problem.startswith(f"{(root / 'desk' / 'sections.yaml').resolve()}: tags.sections: ")
    assert not (root / "site").exists()


def test_a_missing_cues_file_is_a_config_error(make_project) -> None:
    root = _project(make_project)
    (root / "desk" / "sections.yaml").unlink()
    with pytest.raises(ConfigError, match="sections.yaml: tags.sections: cannot read section cues"):
        build(load_config(root / "digest.yaml"))


def test_watch_treats_the_cues_file_as_config(make_project) -> None:
    root = _project(make_project)
    config = load_config(root / "digest.yaml")
    assert kind_of((root / "desk" / "sections.yaml").resolve(), config) == "config"
    assert kind_of((root / "desk" / "notes.txt").resolve(), config) is None


def test_watch_rebuilds_on_a_cues_edit_and_survives_a_broken_file(make_project) -> None:
    root = _project(make_project)
    builds: list = []
    stop = threading.Event()
    thread = threading.Thread(target=watch, args=(load_config(root / "digest.yaml"),), daemon=True, kwargs={
        "stop": stop, "on_build": builds.append, "reload_config": lambda: load_config(root / "digest.yaml"), "debounce": 0.1})
    thread.start()
    try:
        assert wait_until(lambda: len(builds) == 1) and builds[0] is not None
        time.sleep(0.3)  # let the observer start
        cues = root / "desk" / "sections.yaml"
        cues.write_text(CUES.replace("Transport", "Getting Around"))
        assert wait_until(lambda: (root / "site" / "sections" / "getting-around" / "index.html").is_file())
        cues.write_text("sections: [broken]\n")
        assert wait_until(lambda: len(builds) >= 3 and builds[-1] is None)  # the build failed, reported
        (root / "content" / "bus.md").write_text(BUS.replace("night buses", "all-night buses"))  # an edit: a preview first
        time.sleep(0.8)
        assert thread.is_alive()
        cues.write_text(CUES)
        assert wait_until(lambda: "all-night buses" in read_or_empty(root / "site" / "articles" / "bus" / "index.html"))
        assert (root / "site" / "sections" / "transport" / "index.html").is_file()
    finally:
        stop.set()
        thread.join(timeout=5)
    assert not thread.is_alive()


def test_the_cues_file_is_read_once_for_each_version_of_it(make_project) -> None:
    from digest.pipeline import section_cues

    root = _project(make_project)
    config = load_config(root / "digest.yaml")
    first = section_cues(config)
    assert section_cues(config) is first  # the cache key, the tag stage and previews share one read
    cues = root / "desk" / "sections.yaml"
    cues.write_text(CUES.replace("Transport", "Getting Around") + "\n")
    again = section_cues(config)
    assert again is not first and "Getting Around" in again.cues
