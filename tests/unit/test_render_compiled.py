"""Tests for the compiled form of templates (digest.render._CodeGenerator): the same text as
plain Jinja, missing keys still errors, errors at the right line."""
from __future__ import annotations

import dataclasses
from datetime import datetime, timezone
from pathlib import Path

import jinja2
import pytest
from markupsafe import Markup

from digest import render
from digest.config import Config
from digest.errors import TemplateError
from digest.model import Article, Block, Related

UTC = timezone.utc


def make_config(tmp_path: Path) -> Config:
    config = Config()
    return dataclasses.replace(
        config, root=tmp_path,
        paths=dataclasses.replace(config.paths, templates=tmp_path / "templates", output=tmp_path / "site"),
        tags=dataclasses.replace(config.tags, min_articles=1),
    )


def articles(n: int = 6) -> list[Article]:
    out = []
    for i in range(n):
        out.append(dataclasses.replace(
            Article(source=f"a{i}.txt", format="text", slug=f"a{i}"),
            title=f"Story {i} <&>", date=datetime(2025, 3, 1 + i % 3, 9, i, tzinfo=UTC),
            standfirst=f"Standfirst {i}.", byline="Jo" if i % 2 else "",
            body=(Block("p", f"Body {i} & more."), Block("li", "one"), Block("li", "two"),
                  Block("p", "x", html=f"<em>html {i}</em>")),
            summary=(f"Summary {i}.",), tags=("Economy", f"Tag {i % 2}"), section="Business" if i % 2 else "World",
            related=(Related(f"a{(i + 1) % n}", "r", 0.5),),
        ))
    return out


def plain_env() -> jinja2.Environment:
    """Stock Jinja with the settings of make_environment (its getattr: attribute first, then item)."""
    return jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                              trim_blocks=True, lstrip_blocks=True)


TEMPLATE = (
    "{{ d.name }}|{{ d.inner.title }}|{{ d.n }}|{{ d.items is callable }}|{{ d.get('n') }}|{{ m }}|{{ m.upper() }}\n"
    "{% for k in d %}{{ k }},{% endfor %}|{{ v.headline }}|{{ v.body|length }}|{{ v.words }}|{{ v.tags[0].name }}\n"
    "{{ full.reading_minutes }}|{{ full.body[0].content }}|{{ full.body[-1].content }}|{{ e.id }}|{{ e.headline }}|{{ e.date_rfc822 }}\n"
    "{% for b in full.body %}<{{ b.kind }}>{{ b.content }}{% for i in b.list_items %}[{{ i }}]{% endfor %}{% endfor %}\n"
    "{% macro card(a, root) %}<a href=\"{{ root }}{{ a.url }}\">{{ a.headline }}</a>{{ a.section.name }}{% endmacro %}"
    "{{ card(v, '../') }}{% set s %}{{ v.slug }}-{{ d.n }}{% endset %}{{ s }}|{{ 7 }}|{{ none }}|{{ d.inner['title'] }}\n"
)


def test_compiled_lookups_give_what_plain_jinja_gives(tmp_path):
    config = make_config(tmp_path)
    site = render.make_site(articles(), config)
    a = site.articles[0]
    view = render._list_view(a, site)  # no body: made when asked for
    context = {
        "d": {"name": "<b>x</b>", "items": "not the method", "n": 3, "inner": {"title": "T & U"}},
        "m": Markup("<i>safe</i>"),
        "v": view,
        "full": render.article_context(a, site),
        "e": render._FeedEntry(view, {"id": "urn:x", "date_rfc822": "Sat, 01 Mar 2025"}),
    }
    ours = render.make_environment(config).from_string(TEMPLATE).render(context)
    assert ours == plain_env().from_string(TEMPLATE).render(context)
    assert "&lt;b&gt;x&lt;/b&gt;" in ours and "<i>safe</i>" in ours and "<em>html" in ours
    assert "body" not in view  # the list view still makes its body only when asked, and keeps none


def test_compiled_lookup_of_missing_key_is_an_error(tmp_path):
    env = render.make_environment(make_config(tmp_path))
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ d.nothing }}").render({"d": {"n": 1}})
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ d.n.nothing.more }}").render({"d": {"n": {}}})


def test_runtime_error_inside_one_output_names_its_line(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    # one output node over three lines; the failing expression is on line 3
    (templates / "archive.html").write_text("<p>{{ page.title }}\n{{ root }} ok</p>\n<p>{{ site.title }} {{ 1 // 0 }}</p>\n")
    config = make_config(tmp_path)
    with pytest.raises(TemplateError) as info:
        list(render.render_site(articles(), config))
    assert info.value.name == "templates/archive.html"
    assert info.value.line == 3


def test_templates_read_the_environment_globals_from_a_plain_dict(tmp_path):
    env = render.make_environment(make_config(tmp_path))
    template = env.get_template("article.html")
    assert type(template.globals) is dict and template.globals == dict(env.globals)
    assert type(env.cache) is dict  # every template kept, no LRU
    assert env.from_string("{{ range(3)|list }} {{ namespace(a=1).a }}").render() == "[0, 1, 2] 1"


def test_compile_loads_the_page_templates_and_what_they_extend_and_import(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "tag.html").write_text('{% extends "default/tag.html" %}{% include "mine.html" %}', encoding="utf-8")
    (tmp_path / "templates" / "mine.html").write_text("mine", encoding="utf-8")
    (tmp_path / "templates" / "404.html").write_text("{% if %}", encoding="utf-8")  # broken: left for its page
    renderer = render.Renderer(articles(), make_config(tmp_path))
    renderer.compile()
    loaded = {name for _, name in renderer.env.cache}
    assert {"article.html", "base.html", "_macros.html", "default/tag.html", "mine.html", "feed.xml"} <= loaded
    assert "404.html" not in loaded
    with pytest.raises(TemplateError):
        renderer.render(next(p for p in renderer.pages() if p.path == "404.html"))
