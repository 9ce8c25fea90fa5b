from __future__ import annotations

from pathlib import Path

import pytest

from digest.config import Config, load_config, with_overrides
from digest.errors import ConfigError


def test_no_file_gives_defaults(tmp_path: Path) -> None:
    config = load_config(root=tmp_path)
    assert config.summary.sentences == 3
    assert config.paths.content == tmp_path / "content"
    assert config.paths.output == tmp_path / "site"
    assert config.source == ""


def test_values_and_paths_relative_to_config_file(tmp_path: Path) -> None:
    (tmp_path / "proj").mkdir()
    cfg = tmp_path / "proj" / "digest.yaml"
    cfg.write_text("site:\n  title: Harbour News\nsummary:\n  sentences: 2\npaths:\n  content: articles\ntags:\n  aliases: {EV: electric vehicles}\n")
    config = load_config(cfg)
    assert config.site.title == "Harbour News"
    assert config.summary.sentences == 2
    assert config.paths.content == tmp_path / "proj" / "articles"
    assert config.tags.aliases == {"EV": "electric vehicles"}


def test_every_problem_reported_with_file_line_and_key(tmp_path: Path) -> None:
    cfg = tmp_path / "digest.yaml"
    cfg.write_text("site:\n  titel: X\nsummary:\n  sentences: three\n  ratio: 1.5\nrelated:\n  count: 0\n  min_score: -1\n"
                   "front:\n  group_by: week\ncolour: red\n")
    with pytest.raises(ConfigError) as info:
        load_config(cfg)
    assert info.value.problems == [
        f"{cfg}:2: site.titel: unknown key (did you mean 'title'?)",
        f"{cfg}:4: summary.sentences: expected an integer, got 'three'",
        f"{cfg}:5: summary.ratio: expected a number from 0 to 1, got 1.5 (float)",
        f"{cfg}:7: related.count: expected a positive integer, got 0 (int)",
        f"{cfg}:8: related.min_score: expected a number from 0 to 1, got -1 (int)",
        f"{cfg}:10: front.group_by: expected one of day, section, got 'week'",
        f"{cfg}:11: colour: unknown key (expected one of: site, paths, summary, tags, related, front)",
    ]


def test_summary_ratio_is_a_share(tmp_path: Path) -> None:
    assert load_config(root=tmp_path).summary.ratio == 0.0
    cfg = tmp_path / "digest.yaml"
    cfg.write_text("summary:\n  ratio: 0.2\n")
    assert load_config(cfg).summary.ratio == 0.2  # (out of 0..1: see the test above)


def test_invalid_yaml_names_line(tmp_path: Path) -> None:
    cfg = tmp_path / "digest.yaml"
    cfg.write_text("site:\n  title: [unclosed\n")
    with pytest.raises(ConfigError) as info:
        load_config(cfg)
    assert info.value.problems[0].startswith(f"{cfg}:")
    assert "invalid YAML" in info.value.problems[0]


def test_top_level_must_be_mapping(tmp_path: Path) -> None:
    cfg = tmp_path / "digest.yaml"
    cfg.write_text("- a\n- b\n")
    with pytest.raises(ConfigError, match="expected a mapping of settings"):
        load_config(cfg)


def test_section_must_be_mapping_and_bool_is_not_int(tmp_path: Path) -> None:
    cfg = tmp_path / "digest.yaml"
    cfg.write_text("site: hello\nsummary:\n  sentences: true\n")
    with pytest.raises(ConfigError) as info:
        load_config(cfg)
    assert info.value.problems == [
        f"{cfg}:1: site: expected a mapping, got 'hello'",
        f"{cfg}:3: summary.sentences: expected an integer, got True (bool)",
    ]


def test_missing_explicit_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.yaml")


def test_overrides(tmp_path: Path) -> None:
    config = with_overrides(load_config(root=tmp_path), output=tmp_path / "out", content=None)
    assert config.paths.output == tmp_path / "out"
    assert isinstance(config, Config)
