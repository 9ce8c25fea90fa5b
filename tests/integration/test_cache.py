"""The build cache: a warm build redoes only what changed and gives the same site as a cold one."""
from __future__ import annotations

import math
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from digest import build, clean, load_config
from digest.pipeline import cache_store, inspect
from digest.config import Config
from digest.errors import DigestError

REPO = Path(__file__).resolve().parents[2]


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "content", tmp_path / "content")
    return tmp_path


def _steps(config: Config, **kwargs) -> tuple[dict[str, int], object]:
    steps: dict[str, int] = {}
    result = build(config, progress=lambda step, count, seconds: steps.__setitem__(step, count), **kwargs)
    return steps, result


def _same_as_cold(config: Config, tmp: Path) -> None:
    """The cached build's site equals a build without any cache, byte for byte."""
    cold = replace(config, paths=replace(config.paths, output=tmp / "cold"))
    result = build(cold, use_cache=False)
    assert _files(config.paths.output) == _files(tmp / "cold")
    shutil.rmtree(tmp / "cold")
    return result


def test_second_build_reuses_every_article(project: Path, tmp_path: Path) -> None:
    config = load_config(root=project)
    first, _ = _steps(config)
    assert first["summarised and tagged"] == 15 and (project / ".digest-cache").is_dir()
    site = _files(project / "site")
    second, result = _steps(config)
    assert second["read"] == 0 and second["cleaned"] == 0 and second["summarised and tagged"] == 0
    assert result.articles == 15
    assert _files(project / "site") == site


def test_edits_adds_and_deletes_give_the_cold_site(project: Path, tmp_path: Path) -> None:
    config = load_config(root=project)
    build(config)
    content = project / "content"
    seed = content / "2024-07-19-xiaomi-ev-sanctions.txt"

    # An edit with new words: the article is redone, and so is any article whose IDFs moved.
    text = seed.read_text(encoding="utf-8")
    seed.write_text(text.replace("Xiaomi", "Xiaomi Corporation", 1) + "\nA sentence about zeppelins and marmalade.\n", encoding="utf-8")
    steps, _ = _steps(config)
    assert 1 <= steps["summarised and tagged"] < 15
    _same_as_cold(config, tmp_path)

    # A new article that repeats another's title and lines: the clean context changes.
    (content / "copy.txt").write_text(text, encoding="utf-8")
    _steps(config)
    _same_as_cold(config, tmp_path)

    # Delete one, rename one, break one (reported, the rest built), then mend it.
    (content / "copy.txt").unlink()
    md = sorted(content.rglob("*.md"))[0]
    md.rename(md.with_name("renamed-" + md.name))
    broken = sorted(content.rglob("*.md"))[1]
    good = broken.read_text(encoding="utf-8")
    broken.write_text("---\ntitle: [unclosed\n---\nBody text here.\n", encoding="utf-8")
    _, result = _steps(config)
    assert any(p.path.endswith(broken.name) for p in result.errors)
    _same_as_cold(config, tmp_path)
    broken.write_text(good, encoding="utf-8")
    _steps(config)
    _same_as_cold(config, tmp_path)


def test_damaged_cache_is_rebuilt_not_trusted(project: Path, tmp_path: Path) -> None:
    config = load_config(root=project)
    build(config)
    shards = sorted((project / ".digest-cache").rglob("shard-*.pickle"))
    assert shards
    shards[0].write_bytes(b"not a pickle")
    shards[1].write_bytes(shards[1].read_bytes()[:20])
    steps, _ = _steps(config)
    assert steps["summarised and tagged"] >= 2
    _same_as_cold(config, tmp_path)
    # and the next build trusts the rewritten shards again
    steps, _ = _steps(config)
    assert steps["summarised and tagged"] == 0


def test_unchanged_files_are_not_read_and_a_same_size_edit_is_seen(project: Path, tmp_path: Path, monkeypatch) -> None:
    import os

    from digest import cache, readers

    monkeypatch.setattr(cache, "STAMP_SETTLE_NS", -10**12)  # trust stamps of files written a moment ago
    config = load_config(root=project)
    build(config)
    reads: list[str] = []
    real = readers.read_bytes
    monkeypatch.setattr(readers, "read_bytes", lambda source: reads.append(source.rel) or real(source))
    steps, _ = _steps(config)
    assert reads == [] and steps["read"] == 0

    # Same size, mtime put back: the stamp's ctime still tells the edit apart.
    seed = project / "content" / "2024-07-19-xiaomi-ev-sanctions.txt"
    before = seed.stat()
    text = seed.read_text(encoding="utf-8")
    seed.write_text(text.replace("Xiaomi", "Xiomai", 1), encoding="utf-8")
    os.utime(seed, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert seed.stat().st_size == before.st_size
    steps, _ = _steps(config)
    assert reads == [seed.relative_to(project / "content").as_posix()] and steps["read"] == 1
    _same_as_cold(config, tmp_path)


def test_a_cold_build_reads_each_file_once_in_the_read_step(project: Path, monkeypatch) -> None:
    """With nothing cached, the build's own process does not read and hash every file before
    the read step (the workers do it as they read), and each file is read once."""
    from digest import cache, readers

    monkeypatch.setattr(cache, "STAMP_SETTLE_NS", -10**12)
    config = load_config(root=project)
    events: list[str] = []
    real = readers.read_bytes
    monkeypatch.setattr(readers, "read_bytes", lambda source: events.append(source.rel) or real(source))
    build(config, jobs=1, progress=lambda step, count, seconds: events.append(f"step {step}"))
    files = sorted(p.relative_to(project / "content").as_posix() for p in (project / "content").rglob("*") if p.is_file())
    checked = events.index("step checked")
    assert events[:checked] == ["step found"]
    assert sorted(e for e in events if not e.startswith("step ")) == files
    # the keys the workers made are the stamps' keys: the next build reads nothing
    events.clear()
    build(config, jobs=1)
    assert events == []


def test_files_written_just_before_a_cold_build_are_stamped_once_read_after_they_settle(project: Path, monkeypatch) -> None:
    """A stamp is kept when the file had settled by the time it was read, not only by the time
    the build began: content copied in a moment before a cold build is not all read again by
    the next build."""
    import os
    import time

    from digest import cache, readers

    monkeypatch.setattr(cache, "STAMP_SETTLE_NS", 1_500_000_000)  # well above the time a build takes to begin
    for path in (project / "content").rglob("*"):
        if path.is_file():
            os.utime(path)  # modified (and changed) just now
    config = load_config(root=project)
    # the files are not settled when the build starts, and are read after they are
    build(config, jobs=1, progress=lambda step, count, seconds: step == "checked" and time.sleep(2))
    reads: list[str] = []
    real = readers.read_bytes
    monkeypatch.setattr(readers, "read_bytes", lambda source: reads.append(source.rel) or real(source))
    build(config, jobs=1)
    assert reads == []


def test_a_cache_saved_aside_while_relating_is_whole(project: Path, tmp_path: Path, monkeypatch) -> None:
    """A build of many new articles saves its cache in a forked process while it relates: the
    next build finds every entry, and a save that fails is a warning, not a lost site."""
    import os

    from digest import cache, pipeline

    monkeypatch.setattr(pipeline, "SAVE_ASIDE_FROM", 1)
    monkeypatch.setattr(pipeline.threading, "active_count", lambda: 1)  # threads other tests left idle
    real = cache._dump
    marks = tmp_path / "writers"

    def dump(path, value):  # noqa: ANN001
        with marks.open("a") as handle:  # a file: the child's memory is not ours
            handle.write(f"{os.getpid()}\n")
        real(path, value)

    monkeypatch.setattr(cache, "_dump", dump)
    config = load_config(root=project)
    build(config)
    writers = [int(line) for line in marks.read_text().split()]
    assert os.getpid() in writers and len(set(writers)) == 2  # the shards in a child, the relate state here
    second, _ = _steps(config)
    assert second["read"] == 0 and second["summarised and tagged"] == 0
    _same_as_cold(config, tmp_path)

    def broken(self, *args, **kwargs):  # noqa: ANN001
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cache.Store, "save", broken)
    shutil.rmtree(project / ".digest-cache")
    result = build(config)
    assert result.articles == 15 and not result.errors
    assert any("cache not saved: OSError" in w.message and "No space left" in w.message for w in result.warnings)


def test_corpus_statistics_kept_up_to_date_equal_counting_afresh(project: Path, tmp_path: Path) -> None:
    from digest import cache, text as textmod
    from digest.pipeline import open_cache

    config = load_config(root=project)
    build(config)
    content = project / "content"
    files = sorted(content.rglob("*.txt"))
    files[0].write_text(files[0].read_text(encoding="utf-8") + "\nQuixotic zeppelins met marmalade.\n", encoding="utf-8")
    files[1].unlink()
    (content / "new.md").write_text("---\ntitle: A new piece\n---\nHarbour ferries now run hourly from the quay.\n",
                                    encoding="utf-8")
    steps, _ = _steps(config)
    store = open_cache(config)
    assert store.stats_exact
    assert store.stats == textmod.stats_from(cache.vocab_words(e.vocab) for e in store.entries.values())
    _same_as_cold(config, tmp_path)


def test_a_damaged_relate_state_is_rebuilt_and_an_edit_relinks_like_a_cold_build(project: Path, tmp_path: Path) -> None:
    config = load_config(root=project)
    build(config)
    states = sorted((project / ".digest-cache").rglob("relate.pickle"))
    assert len(states) == 1
    states[0].write_bytes(b"not a pickle")
    build(config)
    _same_as_cold(config, tmp_path)
    # An edit that gives one article another story's words: related lists move, as from scratch.
    content = project / "content"
    first, second = sorted(content.rglob("*.md"))[:2]
    first.write_text(first.read_text(encoding="utf-8") + "\n\n" + second.read_text(encoding="utf-8").split("---")[-1],
                     encoding="utf-8")
    build(config)
    _same_as_cold(config, tmp_path)


def test_a_render_code_change_keeps_the_articles_but_not_the_relate_state(project: Path, monkeypatch) -> None:
    from digest import cache

    config = load_config(root=project)
    build(config)
    real = cache.code_version
    store = cache_store(config)
    assert store.part("relate") is not None
    # As if relate.py or render.py had been edited: the whole-package version moves, the article one does not.
    monkeypatch.setattr(cache, "code_version", lambda articles_only=False: real(articles_only=True) if articles_only else "other")
    store = cache_store(config)
    assert store.part("relate") is None
    steps, _ = _steps(config)
    assert steps["summarised and tagged"] == 0
    assert len([p for p in (project / ".digest-cache").iterdir()]) == 1


def test_a_changed_setting_starts_a_new_cache(project: Path) -> None:
    config = load_config(root=project)
    build(config)
    steps, _ = _steps(config, sentences=2)
    assert steps["summarised and tagged"] == 15


def test_a_summary_ratio_starts_a_new_cache_and_shortens_short_stories(project: Path) -> None:
    config = load_config(root=project)
    build(config)
    pages = _files(config.paths.output)
    paths = sorted(p for p in config.paths.content.rglob("*") if p.is_file())
    three = {a.slug: a.summary for a in inspect(paths, config)[0]}
    short = replace(config, summary=replace(config.summary, ratio=0.1))
    steps, _ = _steps(short)
    assert steps["summarised and tagged"] == 15
    assert _files(config.paths.output) != pages
    lengths = []
    for article in inspect(paths, short)[0]:
        if article.meta_summary:  # the front matter's summary, whatever its length
            assert article.summary == article.meta_summary
            continue
        count = len(clean.sentences_of(article.body))
        lengths.append(len(article.summary))
        assert len(article.summary) == max(1, min(3, math.floor(0.1 * count + 0.5)))
        assert set(article.summary) <= set(three[article.slug])  # the best of the same ranking
    assert lengths and max(lengths) < 3  # 16-22 sentences each: two at 0.1


def test_old_caches_are_removed_but_the_last_other_one_is_kept(project: Path) -> None:
    config = load_config(root=project)
    for sentences in (1, 2, 3):
        build(config, sentences=sentences)
    folders = {p.name for p in (project / ".digest-cache").iterdir()}
    assert len(folders) == 2
    steps, _ = _steps(config, sentences=2)  # the other one kept: still warm
    assert steps["summarised and tagged"] == 0
    (project / ".digest-cache" / "notes").mkdir()  # not a cache folder: never touched
    build(config, sentences=1)
    assert (project / ".digest-cache" / "notes").is_dir()
    assert len([p for p in (project / ".digest-cache").iterdir() if p.name != "notes"]) == 2


def test_cache_inside_the_output_is_refused(project: Path) -> None:
    (project / "digest.yaml").write_text("paths:\n  cache: site/cache\n", encoding="utf-8")
    with pytest.raises(DigestError, match="must not be inside paths.output"):
        build(load_config(root=project))


def test_undated_text_is_redone_when_its_time_changes(make_project, tmp_path: Path) -> None:
    import os

    root = make_project({"content/note.txt": "A short note\n\nThe harbour ferry now runs every hour from the north quay.\n"})
    config = load_config(root=root)
    build(config)
    os.utime(root / "content/note.txt", (1_700_000_000, 1_700_000_000))
    steps, _ = _steps(config)
    assert steps["summarised and tagged"] == 1
    _same_as_cold(config, tmp_path / "x")


def test_unchanged_pages_are_linked_not_rendered_again(project: Path, tmp_path: Path) -> None:
    config = load_config(root=project)
    build(config)
    site = project / "site"
    inodes = {p.relative_to(site).as_posix(): p.stat().st_ino for p in site.rglob("*") if p.is_file()}
    build(config)
    assert {p.relative_to(site).as_posix(): p.stat().st_ino for p in site.rglob("*") if p.is_file()} == inodes

    seed = project / "content" / "2024-07-19-xiaomi-ev-sanctions.txt"
    seed.write_text(seed.read_text(encoding="utf-8").replace("Lei", "Mr Lei", 1), encoding="utf-8")
    build(config)
    now = {p.relative_to(site).as_posix(): p.stat().st_ino for p in site.rglob("*") if p.is_file()}
    changed = {rel for rel in now if now[rel] != inodes.get(rel)}
    assert "articles/xiaomi-ev-sanctions/index.html" in changed
    assert "style.css" not in changed and len(changed) < len(now) / 2
    _same_as_cold(config, tmp_path)

    # a page edited by hand in site/ is not trusted: the next build writes it again
    page = site / "articles/xiaomi-ev-sanctions/index.html"
    page.unlink()
    page.write_text("tampered", encoding="utf-8")
    build(config)
    assert "tampered" not in page.read_text(encoding="utf-8")
    _same_as_cold(config, tmp_path)


def test_template_change_renders_again(project: Path, tmp_path: Path) -> None:
    config = load_config(root=project)
    build(config)
    (project / "templates").mkdir()
    (project / "templates/article.html").write_text('{% extends "default/article.html" %}{% block main %}<p>Mine</p>{{ super() }}{% endblock %}', encoding="utf-8")
    build(config)
    assert "<p>Mine</p>" in (project / "site/articles/xiaomi-ev-sanctions/index.html").read_text(encoding="utf-8")
    _same_as_cold(config, tmp_path)


_TOPICS = (
    ("harbour", "ferry", "pier", "tide", "crane", "dock"),
    ("orchard", "apple", "harvest", "cider", "frost", "blossom"),
    ("violin", "concert", "orchestra", "tenor", "rehearsal", "score"),
)


def _generated(content: Path, count: int) -> None:
    """``count`` Markdown articles in three topics, so related links and tag pages have something to do."""
    for i in range(count):
        words = _TOPICS[i % len(_TOPICS)]
        body = "\n\n".join(
            f"The {words[(i + k) % 6]} council met the {words[(i + k + 1) % 6]} group on day {i + k}. "
            f"Officials said the {words[(i + k + 2) % 6]} plan for item {i * 7 + k} would cost more than the {words[(i + k + 3) % 6]} one."
            for k in range(4)
        )
        (content / f"gen-{i:02d}.md").write_text(
            f"---\ntitle: The {words[i % 6]} report number {i}\ndate: 2024-03-{1 + i % 27:02d}T{i % 24:02d}:00:00Z\n"
            f"tags: [{words[0]}, {words[(i % 5) + 1]}]\n---\n{body}\n", encoding="utf-8")


def test_watch_keeps_the_render_memo_and_each_edit_gives_the_cold_site(project: Path, tmp_path: Path, monkeypatch) -> None:
    from digest import render
    from digest.pipeline import cache_store

    content = project / "content"
    _generated(content, 30)
    config = load_config(root=project)
    store = cache_store(config)  # kept in memory between builds, as digest watch does
    store.load()
    keyed: list[str] = []
    real_key = render.Renderer.key
    monkeypatch.setattr(render.Renderer, "key", lambda self, page: keyed.append(page.path) or real_key(self, page))

    def rebuild() -> int:
        keyed.clear()
        build(config, store=store, jobs=1)
        _same_as_cold(config, tmp_path)
        return len(keyed)

    everything = rebuild()  # every page keyed: from now on the memo is kept
    assert "render" in store.memory and everything > 60
    assert rebuild() == 0  # nothing changed: no page context is even made

    gen = sorted(content.glob("gen-*.md"))
    # A body edit: its page, the lists that show it, and the pages of views it reaches; not the whole site.
    gen[4].write_text(gen[4].read_text(encoding="utf-8") + "\nThe tide turned on the pier at dawn.\n", encoding="utf-8")
    assert 0 < rebuild() < everything / 2
    # A new headline reaches the previous/next links and related lists of other articles.
    gen[5].write_text(gen[5].read_text(encoding="utf-8").replace("report number 5", "report that changed"), encoding="utf-8")
    assert 0 < rebuild() < everything / 2
    # Other tags: the pages of the tags it joined or left, the tag index and the front page.
    gen[6].write_text(gen[6].read_text(encoding="utf-8").replace("tags: [", "tags: [zeppelin, "), encoding="utf-8")
    assert 0 < rebuild() < everything / 2
    gen[8].write_text(gen[8].read_text(encoding="utf-8").replace("tags: [", "tags: [orchard, "), encoding="utf-8")
    assert 0 < rebuild() < everything / 2
    # A second story with "zeppelin": the tag gets a page, and the views that show it link it. Not the whole site.
    zeppelin = config.paths.output / "tags" / "zeppelin"
    assert not zeppelin.exists()
    gen[9].write_text(gen[9].read_text(encoding="utf-8").replace("tags: [", "tags: [zeppelin, "), encoding="utf-8")
    assert 0 < rebuild() < everything / 2
    assert (zeppelin / "index.html").is_file()
    # ... and loses it again.
    gen[6].write_text(gen[6].read_text(encoding="utf-8").replace("tags: [zeppelin, ", "tags: ["), encoding="utf-8")
    assert 0 < rebuild() < everything / 2
    assert not zeppelin.exists()
    # Another date: the shape of the site changes, every page is looked at again.
    gen[7].write_text(gen[7].read_text(encoding="utf-8").replace("2024-03-08", "2023-12-30"), encoding="utf-8")
    rebuild()
    # An edit to one telling of a story told twice.
    seed = content / "2024-07-19-xiaomi-ev-sanctions.txt"
    seed.write_text(seed.read_text(encoding="utf-8").replace("Xiaomi", "Xiaomi Corp", 1), encoding="utf-8")
    rebuild()
    # A page changed by hand in site/ is made again, though nothing it shows changed.
    page = config.paths.output / "articles" / "gen-01" / "index.html"
    page.write_bytes(b"<p>scribbled</p>")
    assert rebuild() >= 1
    # A template override changes every page.
    (project / "templates").mkdir()
    (project / "templates" / "article.html").write_text(
        '{% extends "default/article.html" %}{% block main %}<p>override</p>{{ super() }}{% endblock %}', encoding="utf-8")
    assert rebuild() >= everything
    assert b"override" in page.read_bytes()


def test_articles_are_cached_even_when_a_template_breaks_the_build(project: Path) -> None:
    (project / "templates").mkdir()
    (project / "templates" / "article.html").write_text("{% if %}", encoding="utf-8")
    config = load_config(root=project)
    with pytest.raises(DigestError):
        build(config)
    (project / "templates" / "article.html").unlink()
    steps, _ = _steps(config)
    assert steps["summarised and tagged"] == 0


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_new_process_starts_from_the_render_memo_on_disk(project: Path, tmp_path: Path, monkeypatch, jobs: int) -> None:
    from digest import render

    content = project / "content"
    _generated(content, 30)
    config = load_config(root=project)
    build(config, jobs=jobs)
    keyed: list[str] = []
    real_key = render.Renderer.key
    monkeypatch.setattr(render.Renderer, "key", lambda self, page: keyed.append(page.path) or real_key(self, page))
    made: list[str] = []  # article views made (also right after the cold build: not all of them again)
    real_view = render.article_context
    monkeypatch.setattr(render, "article_context", lambda article, site: made.append(article.slug) or real_view(article, site))
    everything = len(_files(config.paths.output))
    build(config, jobs=jobs)  # right after a cold build: no view and no page made again
    assert made == [] and keyed == []
    gen = sorted(content.glob("gen-*.md"))
    for n, edit in enumerate((
        lambda text: text + "\nThe tide turned on the pier at dawn.\n",
        lambda text: text.replace("report number", "report, revised,"),
        lambda text: text.replace("tags: [", "tags: [zeppelin, "),
    )):
        gen[n].write_text(edit(gen[n].read_text(encoding="utf-8")), encoding="utf-8")
        keyed.clear()
        build(config, jobs=jobs)  # a new store each time: what a new `digest build` process has
        assert 0 < len(keyed) < everything / 2
        _same_as_cold(config, tmp_path)
    # A memo left by another site (another output folder) is not used, and nothing goes wrong.
    other = replace(config, paths=replace(config.paths, output=tmp_path / "elsewhere"))
    build(other, jobs=jobs)
    gen[0].write_text(gen[0].read_text(encoding="utf-8") + "\nAnother line.\n", encoding="utf-8")
    keyed.clear()
    build(config, jobs=jobs)
    _same_as_cold(config, tmp_path)


def test_sentences_are_not_carried_through_the_build_but_summaries_come_from_them(project: Path) -> None:
    from digest import clean
    from digest.pipeline import open_cache

    config = load_config(root=project)
    build(config)
    entries = list(open_cache(config).entries.values())
    assert len(entries) == 15
    for entry in entries:
        assert entry.article.sentences == ()  # made again from the body where needed
        if not entry.article.meta_summary:  # a front-matter summary is the author's own
            sentences = clean.sentences_of(entry.article.body)
            assert entry.article.summary and all(s in sentences for s in entry.article.summary)


def test_a_memo_whose_pages_are_not_on_record_is_not_used(project: Path, tmp_path: Path) -> None:
    # The render memo names pages; their keys and stamps are in pages.pickle. Without that
    # record, a memo alone would render only the pages an edit reaches and lose the rest.
    config = load_config(root=project)
    build(config)
    [record] = (project / ".digest-cache").rglob("pages.pickle")
    record.write_bytes(b"damaged")
    seed = project / "content" / "2024-07-19-xiaomi-ev-sanctions.txt"
    seed.write_text(seed.read_text(encoding="utf-8") + "\nA line about zeppelins.\n", encoding="utf-8")
    build(config)
    _same_as_cold(config, tmp_path)


def test_watch_previews_an_edited_page_then_the_build_gives_the_cold_site(project: Path, tmp_path: Path) -> None:
    from digest.pipeline import cache_store, preview

    content = project / "content"
    _generated(content, 12)
    config = load_config(root=project)
    store = cache_store(config)  # kept in memory between builds, as digest watch does
    store.load()
    assert preview(config, [content / "gen-03.md"], store) == []  # no build in this process yet: nothing to stand on
    build(config, store=store, jobs=1)
    site = config.paths.output
    before = _files(site)

    edited = content / "gen-03.md"
    edited.write_text(edited.read_text(encoding="utf-8") + "\nThe harbour crane stood idle all week.\n", encoding="utf-8")
    new = content / "gen-new.md"
    new.write_text("---\ntitle: A story nobody saw before\ndate: 2024-05-01\n---\nA new article arrives here today.\n",
                   encoding="utf-8")
    draft = content / "gen-05.md"
    draft.write_text(draft.read_text(encoding="utf-8").replace("---\ntitle:", "---\ndraft: true\ntitle:", 1), encoding="utf-8")

    written = preview(config, [edited, new, draft, project / "elsewhere.md"], store)
    assert written == ["articles/gen-03/index.html"]  # not the new article, nor the one now a draft
    after = _files(site)
    assert b"harbour crane stood idle" in after["articles/gen-03/index.html"]
    assert b"harbour crane stood idle" not in before["articles/gen-03/index.html"]
    # Only that page was touched, in place, with nothing left beside it.
    assert {p for p in after if after[p] != before.get(p)} == {"articles/gen-03/index.html"}
    assert after.keys() == before.keys()

    build(config, store=store, jobs=1)  # the build that follows: every page from the new corpus
    _same_as_cold(config, tmp_path)
    assert "articles/gen-new/index.html" in _files(site) and "articles/gen-05/index.html" not in _files(site)


def test_a_build_with_its_own_store_lets_the_relate_state_go_before_rendering(project: Path, monkeypatch) -> None:
    from digest import render

    config = load_config(root=project)
    opened = _record_stores(monkeypatch)
    seen: list[tuple[bool, bool]] = []
    real_init = render.Renderer.__init__

    def init(self, *args, **kwargs):
        store = opened[-1]
        seen.append(("relate" in store._parts, (store.folder / "relate.pickle").is_file()))
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(render.Renderer, "__init__", init)
    build(config, jobs=1)  # cold: the state is made, saved, and let go of before any page
    first = opened[-1]
    assert seen and seen[0] == (False, True)
    assert first.part("relate") is not None  # read back from disk when asked
    seen.clear()
    content = project / "content"
    page = sorted(content.rglob("*.md"))[0]
    page.write_text(page.read_text(encoding="utf-8") + "\nOne more line about the harbour.\n", encoding="utf-8")
    build(config, jobs=1)  # warm: the previous state read, the new one saved, neither kept
    assert seen and seen[0] == (False, True)


def test_a_build_with_its_own_store_saves_the_articles_before_relating_and_lets_their_words_go(project: Path, monkeypatch) -> None:
    from digest import cache, pipeline

    config = load_config(root=project)
    opened = _record_stores(monkeypatch)
    seen: list[tuple[int, int]] = []
    real_related = pipeline.related

    def related(articles, *args, **kwargs):
        store = opened[-1]
        on_disk = cache.Store(store.folder)
        on_disk.load()
        seen.append((len(store.entries), len(on_disk.entries)))
        return real_related(articles, *args, **kwargs)

    monkeypatch.setattr(pipeline, "related", related)
    first, _ = _steps(config)
    assert seen == [(0, 15)]  # on disk already, out of memory
    seen.clear()
    second, _ = _steps(config)
    assert second["summarised and tagged"] == 0 and seen == [(0, 15)]

    # a store kept for the next build (digest watch) keeps its entries and saves after the pages
    kept = pipeline.cache_store(config)
    kept.load()
    seen.clear()
    opened.append(kept)
    build(config, store=kept, jobs=1)
    assert seen[0][0] == 15 and len(kept.entries) == 15


def test_relate_hashes_only_the_articles_whose_cache_entries_were_remade(project: Path, tmp_path: Path, monkeypatch) -> None:
    from digest import relate

    config = load_config(root=project)
    hashed: list[str] = []
    real = relate._fingerprint
    monkeypatch.setattr(relate, "_fingerprint", lambda article: hashed.append(article.slug) or real(article))
    build(config)  # cold: every article hashed for the state
    assert len(hashed) == 15
    hashed.clear()
    build(config)  # a new store, as a new process opens it: nothing remade, nothing hashed
    assert hashed == []
    page = sorted((project / "content").rglob("*.md"))[0]
    page.write_text(page.read_text(encoding="utf-8") + "\nA later paragraph about the harbour wall.\n", encoding="utf-8")
    steps, _ = _steps(config)
    redone = steps["summarised and tagged"]
    assert 1 <= len(hashed) <= redone < 15  # the edited article, and those its new words' IDF changed
    _same_as_cold(config, tmp_path)


def _record_stores(monkeypatch) -> list:
    """The cache stores that builds open from now on, in order."""
    from digest import pipeline

    opened: list = []
    real_open = pipeline.open_cache
    monkeypatch.setattr(pipeline, "open_cache", lambda *a, **k: opened.append(real_open(*a, **k)) or opened[-1])
    return opened
