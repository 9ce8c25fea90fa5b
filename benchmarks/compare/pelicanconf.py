"""Pelican settings for benchmarks/compare.py: the default theme, pages like digest's.

Caching is off here (a cold build); compare.py turns the content cache on with
``-e CACHE_CONTENT=true LOAD_CONTENT_CACHE=true`` for the edit-one-article rebuild.
The related_posts plugin (``pip install pelican-related-posts``) is used when installed.
"""
import importlib.util
import os

AUTHOR = "Staff writer"
SITENAME = "Benchmark Digest"
SITEURL = ""
PATH = "content"
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_PAGINATION = 20            # digest's front.page_size
SLUGIFY_SOURCE = "basename"        # file names are unique; some headlines repeat
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
CACHE_PATH = "cache"
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/{slug}.atom.xml"
TAG_FEED_ATOM = "feeds/tag-{slug}.atom.xml"
RELATIVE_URLS = True

if importlib.util.find_spec("pelican.plugins.related_posts") is not None:
    PLUGINS = ["pelican.plugins.related_posts"]
    RELATED_POSTS_MAX = 5
    THEME_TEMPLATES_OVERRIDES = [os.path.join(os.path.dirname(os.path.abspath(__file__)), "pelican-templates")]
else:
    PLUGINS = []
