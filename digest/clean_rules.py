"""Cleaning rules: data only, no logic (``digest.clean`` applies them).

The rules describe *kinds* of page furniture (a share bar, a cookie notice, a photo
credit) in general terms, so that they hold for sites whose exact wording we have
never seen. Nothing here is a string copied from a particular site.

Two groups:

* **HTML**: tags to drop, class/id tokens that mark boilerplate containers,
  containers that usually hold the article, and the link-density limit.
* **Plain text**: regular expressions for the shapes of furniture lines, each with
  the reason recorded in ``Article.removed``, and the weights of the line scorer
  that separates the story from lists of other headlines.
"""
from __future__ import annotations

import re

# ---------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------

#: Elements removed with everything inside them before looking for the article.
DROP_TAGS: frozenset[str] = frozenset(
    """script style noscript template iframe object embed svg canvas video audio source track map
    nav header footer aside form button input select option textarea label dialog menu
    link meta head title""".split()
)

#: Elements dropped even by the whole-<body> fallback.
HARD_DROP_TAGS: frozenset[str] = frozenset(
    "script style noscript template iframe object embed svg canvas video audio source track map head title".split()
)

#: Elements whose text never belongs to the story but whose siblings may (captions).
DROP_INLINE_TAGS: frozenset[str] = frozenset("figcaption".split())

#: Block elements that become :class:`digest.model.Block` values, by kind.
BLOCK_KINDS: dict[str, str] = {
    "p": "p",
    "h2": "h",
    "h3": "h",
    "h4": "h",
    "h5": "h",
    "h6": "h",
    "li": "li",
    "blockquote": "quote",
    "pre": "pre",
}

#: Tokens of class/id values (split on non-letters, lower-cased) that mark a container as
#: boilerplate. A container is dropped when one of its tokens is in this set.
BOILERPLATE_TOKENS: frozenset[str] = frozenset(
    """nav navbar navigation menu menubar breadcrumb breadcrumbs topbar toolbar masthead
    footer header sidebar side aside widget widgets rail
    comment comments disqus respond replies reply
    related recommended recommendation recommendations recirc trending popular mostread outbrain taboola
    share sharing social socials sharebar sharetools
    newsletter subscribe subscription signup paywall regwall
    promo promos promotion sponsor sponsored advert advertisement advertising ads ad adslot adunit dfp gpt
    cookie cookies consent gdpr banner modal popup overlay
    byline author bio tags tagged tag taglist keywords categories
    caption credit credits copyright disclaimer
    hidden print skip jump login signin account search
    pagination pager prevnext""".split()
)

#: Tokens that look like boilerplate but also name article containers ("article-header"
#: holds the headline, "post-content" the story); a container carrying one of these is kept
#: even if it also carries a boilerplate token, unless it is a hard drop below.
CONTENT_TOKENS: frozenset[str] = frozenset(
    """article articlebody story storybody body content entry post main text richtext prose
    paragraph paragraphs""".split()
)

#: Tokens that drop a container even when it also looks like content ("related-articles").
HARD_BOILERPLATE_TOKENS: frozenset[str] = frozenset(
    """comment comments disqus related recommended recirc outbrain taboola newsletter
    share sharing social cookie consent advert advertisement ads promo sponsored
    breadcrumb breadcrumbs trending popular mostread
    byline byline author authors caption captions figcaption credit credits gallery carousel slideshow lightbox
    keypoints dateline timestamp""".split()
)

#: ARIA roles and ``itemprop``/``role`` values that mark furniture.
BOILERPLATE_ROLES: frozenset[str] = frozenset("navigation banner contentinfo complementary search dialog alert".split())

#: A container whose share of text inside links is above this is a link list.
LINK_DENSITY_LIMIT: float = 0.5
#: …unless it holds at least this many characters of text outside links (a long paragraph
#: with many inline links is still prose).
LINK_DENSITY_MIN_CHARS: int = 200

#: Below this many characters of extracted text, fall back to all text of ``<body>``.
MIN_CHARS: int = 250
#: When too little text is found, an element dropped only for a furniture class/id token but
#: holding more than this share of the page's text is taken for a page wrapper and kept.
WRAPPER_MIN_SHARE: float = 0.5


# ---------------------------------------------------------------------------
# Plain text: line shapes
# ---------------------------------------------------------------------------

_SOCIAL = (
    r"facebook|twitter|x|linkedin|e-?mail|mail|whatsapp|pinterest|reddit|print|copy(?: the)? link|"
    r"link|messenger|telegram|tumblr|flipboard|sms|instagram|youtube|tiktok|threads|mastodon|bluesky|"
    r"pocket|digg|vk|line|wechat|weibo|google\+?|tweet|pin(?: it)?|more|comment|save|share"
)
#: Words that label a link to other stories ("Most read:", "Also on …:", "Up next:").
_RECIRC = (
    r"related|recommended|suggested|trending|popular|latest|featured|similar|also|more|most|next|missed|"
    r"like|watch|read|listen|see|elsewhere|further|previously|picks?|stories|coverage|headlines"
)
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WEEKDAY = r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|nesday|sday|urday|rsday)?\.?,?"
_TIME = r"(?:\d{1,2}[:.]\d{2}(?::\d{2})?\s*(?:[ap]\.?m\.?)?|\d{1,2}\s*[ap]\.?m\.?)"
_TZ = r"(?:[A-Z]{2,5}|UTC|GMT(?:[+-]\d{1,2}(?::?\d{2})?)?|[+-]\d{2}:?\d{2})"

#: A date: "July 12, 2024", "12th of July 2024", "2024-07-12T09:30Z", "12/07/2024".
_DATE = (
    rf"(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+\d{{4}}"
    r"|\d{4}-\d{2}-\d{2}(?:[T\x20]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
    r"|\d{1,2}[/.]\d{1,2}[/.]\d{2,4})"
)

#: A whole line that is a date (optionally with a label, weekday, time and zone).
DATE_LINE = re.compile(
    rf"""^\W*(?:(?:first\s+)?(?:published|updated|posted|last\s+(?:updated|modified)|modified|date|dated|
    filed|created|written)\s*(?:on|at)?\s*[:\-–—|]?\s*)?
    (?:{_WEEKDAY}\s*)?
    {_DATE}
    (?:\s*(?:,|at|@|-|–|—|\|)?\s*{_TIME})?
    (?:\s*\(?{_TZ}\)?)?
    (?:\s*[|•·,–—-]\s*\d+\s*min(?:ute)?s?\s+read)?
    \W*$""",
    re.IGNORECASE | re.VERBOSE,
)

#: Lines that only say how long the article takes to read, or how long ago it was posted.
READING_TIME = re.compile(
    r"^\W*(?:(?:reading\s+time|read\s+time)\s*:?\s*)?(?:about\s+)?\d+\s*(?:-\s*\d+\s*)?(?:min(?:ute)?s?|m)\.?(?:\s+(?:read|reading|to\s+read|listen))?\W*$"
    r"|^\W*(?:updated|posted|published)?\s*\d+\s+(?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?)\s+ago\W*$",
    re.IGNORECASE,
)

#: Author lines: "By Jane Doe", "By JANE DOE, The Paper", "July 12, 2024 | By Jane Doe",
#: "Jane Doe | Staff Writer". (A date in the line is read as the article's date too.)
BYLINE_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(
        rf"^\W*(?i:(?:{_WEEKDAY}\s*)?{_DATE}(?:\s*(?:,|at|@)?\s*{_TIME})?\s*[,|•·–—-]\s*)?"
        r"(?i:(?:(?:additional\s+|further\s+)?(?:written|words|story|reporting|text|posted|report|research|editing)\s+)?by)\s*:?\s+"
        r"(?P<name>[A-ZÀ-Þ][\w.'’\-]*(?:\s+(?:[A-ZÀ-Þ][\w.'’\-]*|de|van|von|da|di|del|la|le|bin|al|and|&)){0,4})"
        r"(?:\s*(?:,|\||/|-|–|—|\band\b|&)\s*.{0,80})?\s*$"
    ),
    re.compile(
        r"^\W*(?P<name>[A-ZÀ-Þ][\w.'’\-]+(?:\s+[A-ZÀ-Þ][\w.'’\-]+){1,3})\s*(?:\||,|–|—|-|/)\s*"
        r"(?i:(?:(?:staff|senior|contributing|special|chief|political|business|sports?|news|foreign|deputy|associate|"
        r"managing|executive|science|health|tech(?:nology)?|culture|arts|opinion|guest|freelance)\s+)*"
        r"(?:contributor|correspondent|reporter|writer|editor|columnist|journalist|producer|analyst|critic|"
        r"staff|author|blogger|intern|fellow)s?)\b.{0,60}$",
    ),
    re.compile(r"^\W*(?:author|reporter|writer|words|text|reporting|story|interview)s?\s*:\s*(?P<name>[A-ZÀ-Þ][^\d:]{1,60})$",
               re.IGNORECASE),
)

#: Before the first paragraph only: a person's name, then a publication or role after a
#: comma, bar or slash ("Jane Roe, The Daily Planet"; "Jane Roe | Harbour Desk").
HEAD_BYLINE = re.compile(
    r"^\W*(?P<name>[A-ZÀ-Þ][a-zà-ÿ'’\-]+(?:\s+[A-ZÀ-Þ]\.?)?(?:\s+(?:de|van|von|da|di|del|la|le|al|bin)\s+)?\s+[A-ZÀ-Þ][\w'’\-]+)"
    r"\s*(?:,|\||/|–|—)\s*(?:the\s+)?[A-ZÀ-Þ][\w.&'’\-]*(?:\s+(?:[A-ZÀ-Þ][\w.&'’\-]*|of|and|for|the|&)){0,5}\W*$"
)

#: Lines longer than this are never matched against the furniture shapes (all of which are short).
FURNITURE_MAX_CHARS: int = 420

#: (reason, needles, pattern) for furniture lines, tried in order on the normalised line.
#: Each pattern matches a whole line, so a body sentence that merely mentions the word is
#: safe. ``needles`` (lower case) is a cheap pre-check: the pattern is only tried when the
#: lower-cased line contains one of them (an empty tuple: always tried).
LINE_PATTERNS: tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...] = (
    (
        "cookie notice",
        ("cookie",),
        re.compile(
            r"^(?=.{0,400}$)(?=.*\bcookies?\b)(?=.*\b(?:we|our|us|this (?:site|website)|you agree|you consent|"
            r"by continuing|by using|accept|consent|manage|preferences|settings|learn more|privacy|"
            r"experience)\b).*$",
            re.IGNORECASE,
        ),
    ),
    (
        "consent button",
        (),
        re.compile(
            r"^\W*(?:(?:i\s+)?(?:accept|agree|allow|reject|decline|refuse|deny)(?:\s+(?:all|and close|and continue|necessary))?"
            r"(?:\s+cookies)?|got it|ok(?:ay)?|dismiss|close|no,? thanks|continue|manage (?:preferences|settings|options|cookies)|"
            r"(?:cookie|privacy) (?:settings|preferences|policy)|learn more|more info(?:rmation)?|customi[sz]e)\W*$",
            re.IGNORECASE,
        ),
    ),
    (
        "navigation",
        (),
        re.compile(
            r"^\W*(?:skip\s+to\s+(?:the\s+)?(?:main\s+)?(?:content|navigation|main|article|search|footer)|"
            r"(?:main\s+|site\s+|open\s+|close\s+|toggle\s+)?(?:menu|navigation)|search|home(?:page)?|"
            r"sign\s*in|sign\s*up|log\s*in|log\s*out|register|subscribe(?:\s+now)?|my\s+account|account|"
            r"back\s+to\s+top|top\s+of\s+page|next|previous|prev|next\s+(?:article|story|post|page)|"
            r"previous\s+(?:article|story|post|page)|sections?|all\s+sections|go|submit|more|"
            r"listen(?:\s+to\s+(?:this\s+)?(?:article|story))?|print(?:\s+this)?(?:\s+(?:article|page|story))?|"
            r"save(?:\s+(?:article|story))?|bookmark|gift\s+(?:this\s+)?article|"
            r"(?:text|font)\s+size|a\+?\s*a-?|play|pause|mute|loading\.*)\W*$",
            re.IGNORECASE,
        ),
    ),
    (
        "breadcrumb",
        (">", "»", "›", "→", "/"),
        re.compile(r"^\W*[\w&'’.-]+(?:\s+[\w&'’.-]+){0,3}(?:\s*(?:>|»|›|→|/)\s*[\w&'’.-]+(?:\s+[\w&'’.-]+){0,3}){2,}\W*$"),
    ),
    (
        "share prompt",
        (),
        re.compile(
            rf"^\W*(?:share(?:\s+(?:this|the|on|via|to|with|your|article|story|post|page|link))*(?:\s+(?:article|story|post|page|link|{_SOCIAL}))?"
            rf"(?:\s+(?:on|via|with)\s+(?:{_SOCIAL}))?\s*[:!]?\s*(?:(?:{_SOCIAL})(?:\s*[|•·,/]\s*(?:{_SOCIAL}))*)?"
            rf"|(?:share\s+(?:on|via|to)\s+)?(?:{_SOCIAL})(?:\s*[|•·,/]\s*(?:share\s+(?:on|via|to)\s+)?(?:{_SOCIAL}))*"
            r"|(?:(?:like|enjoy(?:ed)?|love)\s+this\s+(?:story|article|post)\W+)?share\s+(?:it|this)\s+with\s+(?:a\s+)?(?:friends?|others)"
            r"|(?:e-?mail|send|print|save|tweet|post|forward|copy)\s+(?:this|the|a)\s+(?:story|article|page|post|link)"
            r"(?:\s+to\s+a\s+friend)?)\W*$",
            re.IGNORECASE,
        ),
    ),
    (
        "follow prompt",
        (),
        re.compile(
            r"^\W*(?:follow|like|join|find|connect\s+with|friend|add|watch|subscribe\s+to)\b.{0,80}?\b(?:on|via|at)\s+"
            r"(?:facebook|twitter|x|instagram|youtube|tiktok|linkedin|threads|mastodon|bluesky|telegram|whatsapp|"
            r"snapchat|pinterest|social(?:\s+media)?|google news)\b.{0,60}$"
            r"|^\W*follow\b.{0,60}@\w+.{0,20}$"
            r"|^\W*follow\s+@\w+\s+on\s+\w+\b.{0,250}$"
            r"|^\W*(?:follow|find|connect with)\s+(?:us|me)\b.{0,40}$",
            re.IGNORECASE,
        ),
    ),
    (
        "newsletter prompt",
        ("newsletter", "inbox", "mailing", "mail", "sign", "subscri", "bulletin", "briefing", "roundup", "digest", "deliver"),
        re.compile(
            r"^(?=.{0,200}$)(?![\"“‘'])(?!.*\b(?:said|says|told|according|asks|asked|wrote|writes)\b)(?=.*\b(?:newsletters?|inbox|mailing\s+list|"
            r"e-?mail\s+(?:address|alerts?|updates|briefings?|bulletins?)|(?:your|by)\s+e-?mail|bulletins?|briefings?|round-?ups?|digest|"
            r"delivered\s+(?:to|every|each|straight|daily|weekly|free)|"
            r"sign\s*-?\s*up|subscribe|subscription|subscribers?)\b)"
            r"(?=^\W*(?:sign|subscribe|get|join|receive|register|enter|never|don'?t|do not|want|stay|be the first|"
            r"become|support|try|start|unlock|read|keep|like what|enjoy|love|for more|to (?:get|receive|read))\b"
            r"|.*\b(?:our|your|you)\b).*$",
            re.IGNORECASE,
        ),
    ),
    (
        "contact line",
        ("@",),
        re.compile(
            r"^(?=.{0,300}$)(?=.*\b[\w.+-]+@[\w-]+\.[\w.]+\b)"
            r"(?=.*\b(?:reach(?:ed)?|contact(?:ed)?|e-?mail|write\s+to|tips?|story\s+ideas?|follow)\b).*$",
            re.IGNORECASE,
        ),
    ),
    (
        "copyright",
        ("copyright", "©", "(c)", "rights", "may not"),
        re.compile(
            r"^\W*(?:copyright|©|\(c\))(?:\s|\d|$).{0,300}$"
            r"|^.{0,200}\ball\s+rights?\s+reserved\b.{0,200}$"
            r"|^.{0,100}\bmay\s+not\s+be\s+(?:published|reproduced|copied|republished|redistributed|reprinted)\b.{0,150}$",
            re.IGNORECASE,
        ),
    ),
    (
        "advertisement",
        (),
        re.compile(
            r"^\W*(?:advertisement|advertising|advertorial|advert|ads?|sponsored(?:\s+(?:content|post|links?|stories|by\b.{0,40}))?|"
            r"promoted(?:\s+(?:content|stories|links?|by\b.{0,40}))?|paid\s+(?:content|post|partnership|promotion)|"
            r"(?:partner|branded)\s+(?:content|stories)|(?:content|stories|more)\s+from\s+(?:our\s+)?(?:partners?|sponsors?)|"
            r"presented\s+by\b.{0,40}|"
            r"(?:story|article|content|text)\s+continues\s+(?:below|after)(?:\s+(?:this|the)?\s*(?:advertisement|advert|ad))?|"
            r"continue\s+reading\s+(?:below|the\s+main\s+story)|scroll\s+(?:down\s+)?to\s+continue(?:\s+reading|\s+with\s+content)?)"
            r"(?:\s*[-–—:|•·]\s*(?:scroll|continue|story|article|content|read|skip|close)\b.{0,40})?\W*$",
            re.IGNORECASE,
        ),
    ),
    (
        "read-more link",
        (),
        re.compile(
            r"^\W*(?:read|see|watch|listen|view|check\s+out|explore|discover)(?:\s+(?:more|also|next|this|it|too|now|the\s+full\s+\w+|more\s+\w+))?"
            r"(?:\s+(?:about|on|from|at|in)\b[^:|]{0,40})?\s*[:|»>\-–—]\s*\S.{0,250}$"
            r"|^\W*(?:also\s+(?:read|see|watch)|more\s+(?:on|about|from)\b[^:|]{0,40}|more|further\s+reading|"
            r"(?:don'?t|do\s+not)\s+miss|must\s+read|up\s+next|what\s+to\s+read\s+next|keep\s+reading|"
            r"previously|next\s+up|editor'?s?\s+picks?)\s*[:|»>\-–—]\s*\S.{0,250}$"
            r"|^\W*(?:read|see|view)\s+(?:more|the\s+(?:full|rest|original)\b.{0,40}|all\b.{0,40})\W*$"
            r"|^\W*continue\s+reading\W*$",
            re.IGNORECASE,
        ),
    ),
    (
        "related link",
        (),
        re.compile(
            r"^\W*(?:related|recommended|suggested|trending|popular|latest|top|featured|similar|in\s+case\s+you\s+missed\s+it)"
            r"(?:\s+(?:article|articles|story|stories|content|coverage|reading|link|links|news|posts?|videos?|topics?|now))?"
            r"\s*[:|»>\-–—]\s*\S.{0,250}$"
            r"|^\W*also\s+on\s+[\w.-]+\.(?:com|org|net|co\.uk|[a-z]{2})\b.{0,250}$"
            # a feed's headline that ends in its age, no full stop: "... Posted on: Indiewire Posted 6 hours ago"
            r"|^\W*\S.{0,250}?\bposted\s+\d+\s+(?:seconds?|minutes?|mins?|hours?|hrs?|days?|weeks?)\s+ago\s*$"
            # any short label naming other stories ("Most read:", "Also on The Post:", "You may also like:")
            # any short label naming other stories ("Most read:", "Also on The Post:"), then a
            # headline (three words or more, no full stop at the end)
            rf"|^\W*(?=[^:|»>—–]{{0,50}}[:|»>—–])(?-i:[A-ZÀ-Þ])[\w'’&.]*(?:\s+[\w'’&.]+){{0,4}}?\s+(?:{_RECIRC})\b(?!\s+(?:information|info|details|data)\b)(?:\s+[\w'’&.]+){{0,4}}"
            rf"\s*[:|»>—–]\s*\S+(?:\s+\S+){{2,}}(?<![.\s])[\"'”’)]?$"
            rf"|^\W*(?:{_RECIRC})\b(?!\s+(?:information|info|details|data)\b)(?:\s+[\w'’&.]+){{0,4}}\s*[:|»>—–]\s*\S+(?:\s+\S+){{2,}}(?<![.\s])[\"'”’)]?$",
            re.IGNORECASE,
        ),
    ),
    (
        "click-here prompt",
        ("click", "tap", "press", "app"),
        re.compile(
            r"^(?=.{0,200}$).*\b(?:click|tap|press)\s+(?:here|this\s+link|the\s+link|below|the\s+button)\b.*$"
            r"|^\W*(?:click|tap|press|swipe)\s+(?:to|here)\b.{0,120}$"
            r"|^\W*(?:download|get|install|open)\s+(?:our|the)\b.{0,30}\bapps?\b.{0,60}$"
            r"|^(?=.{0,120}$)\W*(?:read|listen|watch|continue)\b.{0,60}\bin\s+(?:our|the)\s+app\W*$",
            re.IGNORECASE,
        ),
    ),
    (
        "photo credit",
        ("photo", "image", "pictur", "pic", "credit", "illustration", "getty", "shutterstock", "istock", "alamy", "afp", "ap", "reuters", "epa", "source", "video", "graphic", "gallery", "artwork", "/"),
        re.compile(
            r"^(?=.{0,300}$).*\((?:[^()]*\b(?:photos?|photograph(?:y|er)?|images?|pictures?|pics?|credit|illustration|"
            r"getty|shutterstock|istock|afp|ap|reuters|epa|alamy)\b)[^()]*(?:/|:|\bvia\b|\bby\b)[^()]*\)\W*$"
            r"|^\W*(?:(?:photo(?:graph)?s?|images?|pictures?|pics?|illustrations?|graphics?|video|gallery|artwork)"
            r"(?:\s+(?:credits?|source|courtesy))?|credits?|source)\s*(?::|/|\bby\b|\bcourtesy\b)\s*.{1,80}$"
            r"|^.{0,200}\b[\w.]+\s+(?:photo|image|pictures?)\s*/\s*[\w.]+.{0,60}$"
            r"|^\W*[A-ZÀ-Þ][\w.'’\-]+(?:\s+[A-ZÀ-Þ][\w.'’\-]+){1,3}\s*/\s*[A-ZÀ-Þ][\w.&’'\-]*(?:\s+[A-ZÀ-Þ][\w.&’'\-]*){0,3}\W*$"
            r"|^.{0,150}\b(?:getty\s+images|shutterstock|istock(?:photo)?|alamy|ap\s+photo|afp\s+photo|"
            r"reuters\s+(?:photo|pictures))\W*$",
            re.IGNORECASE,
        ),
    ),
    (
        "comment prompt",
        (),
        re.compile(
            r"^\W*(?:\d+\s+)?comments?(?:\s*\(\d+\)|\s*:\s*\d+)?\W*$"
            r"|^\W*(?:leave|post|add|write|view|show|read|see|load|hide|join|open|submit|display)\b(?:\s+\w+){0,3}\s+"
            r"(?:comments?|conversation|discussion|replies|reactions?|responses?)\b.{0,40}$"
            r"|^\W*(?:be\s+the\s+first\s+to\s+comment|comments?\s+(?:are|is)\s+(?:closed|disabled|open)|"
            r"what\s+do\s+you\s+think\??|have\s+your\s+say|no\s+comments?(?:\s+yet)?)\b.{0,40}$",
            re.IGNORECASE,
        ),
    ),
    (
        "tag list",
        (),
        re.compile(
            r"^\W*(?:tags?|tagged(?:\s+(?:as|with))?|topics?|filed\s+under|categor(?:y|ies)|keywords?|related\s+topics|"
            r"more\s+about|subjects?|posted\s+in|labels?)\s*[:|»>\-–—]\s*.{1,200}$",
            re.IGNORECASE,
        ),
    ),
)

# ---------------------------------------------------------------------------
# Plain text: the line scorer
# ---------------------------------------------------------------------------

#: Characters that open a bulleted line (dashes are not bullets: "— Name" is an attribution).
BULLETS = "•·▪▸►‣◦○●■□"
#: ASCII characters that open a bulleted line when a space follows.
ASCII_BULLETS = "*+-"
#: A bullet at the start of a line, with the space after it.
BULLET_RE = re.compile(rf"^(?:[{re.escape(BULLETS)}]\s*|[{re.escape(ASCII_BULLETS)}]\s+)")

#: A line ends a sentence when it ends with one of these (after closing quotes/brackets).
END_PUNCT = ".!?…;:"
CLOSERS = "\"'”’)]»›"

#: Words (lower case) that stay lower case in a Title-Cased headline.
TITLE_SMALL_WORDS: frozenset[str] = frozenset(
    "a an and as at but by de for from if in into is it of off on onto or per so the to up via vs with nor yet".split()
)

#: Scores for one line (positive: body, negative: furniture). The body is the run of lines
#: with the highest total, so a headline list only stays if prose follows it.
SCORE_PROSE_BASE: float = 1.0  #: a line ending a sentence, with at least PROSE_MIN_WORDS words
SCORE_PROSE_PER_WORD: float = 1 / 30  #: …plus this per word, up to PROSE_WORD_CAP words
PROSE_WORD_CAP: int = 60
PROSE_MIN_WORDS: int = 6
SCORE_SHORT_SENTENCE: float = 0.3  #: a short line that ends a sentence
SCORE_HEADLINE: float = -0.25  #: a line without end punctuation
SCORE_TITLE_CASE: float = -0.45  #: …that is Title Cased
SCORE_BULLET: float = -0.5  #: …that is bulleted
SCORE_REPEATED: float = -1.2  #: a line seen in other files of the corpus
SCORE_OTHER_TITLE: float = -1.5  #: a line equal to another article's title
SCORE_OVERLAP: float = 0.5  #: times the share of the line's words that occur in the story
SCORE_LONG_UNPUNCTUATED: float = 1.2  #: an unpunctuated line with more than LONG_LINE_WORDS words
LONG_LINE_WORDS: int = 30
SCORE_HEADLINE_PUNCT: float = -0.9  #: a Title-Cased line that ends with ? or ! (a headline)
#: A blank gap wider than the article's usual gap before a line rewards ending the body there.
GAP_BONUS: float = 0.9
#: Lines between the story's end and a wide blank gap stay in the body when each scores above
#: this (a list closing the story); below it they are furniture.
GAP_KEEP_MIN_SCORE: float = -0.65
#: …and none scores below this (a repeated line or another article's title).
GAP_KEEP_FLOOR: float = -1.2
#: A sentence of at most this many words between two headline-shaped lines is a headline
#: of the same list; a question or exclamation this short never opens the story.
LISTED_SENTENCE_MAX_WORDS: int = 20
#: A line whose punctuation skeleton matches a neighbour's is part of a structured list.
SCORE_LIST_ITEM: float = 0.5

#: A subheading: at most this many words, no end punctuation, followed by body text.
HEADING_MAX_WORDS: int = 14
#: A word of two letters or more (any script), for a subheading set in capitals.
CAPITAL_WORD_RE = re.compile(r"[^\W\d_]{2,}")
#: A figure standing alone ("113.40", "-1.62", "41%", "$5"), not a digit inside a word ("RAV4").
FIGURE_RE = re.compile(r"(?<!\w)[-+$€£]?\d[\d.,]*%?(?!\w)")
#: A title line: at most this many words.
TITLE_MAX_WORDS: int = 30
#: With no byline or date line, the document's first line (unpunctuated, at most this many
#: words, only furniture or bullets above it) directly before the first paragraph is the title.
TOP_TITLE_MAX_WORDS: int = 20
#: A sentence before the byline stays in the body (a standfirst) when it scores at least this.
STANDFIRST_MIN_SCORE: float = 1.4
#: A standfirst: one sentence of at most this many words at the start of the body.
STANDFIRST_MAX_WORDS: int = 60
#: A line in at least this many files of the corpus is furniture (when it is not prose).
REPEAT_MIN_FILES: int = 2
#: Inside the story, an unpunctuated line of 3+ words needs this many files to be dropped.
REPEAT_MIN_FILES_BODY: int = 3
#: …and so is a sentence of at most this many words (a headline ending in a full stop).
REPEAT_SHORT_WORDS: int = 20
#: A longer prose line needs this many files to count as repeated (two copies of one story are not furniture).
REPEAT_MIN_FILES_PROSE: int = 4

#: UTC offsets (hours) of time-zone abbreviations seen in datelines.
TZ_OFFSETS: dict[str, float] = {
    "UTC": 0, "GMT": 0, "Z": 0, "WET": 0, "BST": 1, "IST": 5.5, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3,
    "MSK": 3, "GST": 4, "PKT": 5, "ICT": 7, "WIB": 7, "HKT": 8, "SGT": 8, "AWST": 8, "JST": 9, "KST": 9,
    "ACST": 9.5, "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13,
    "ET": -5, "EST": -5, "EDT": -4, "CT": -6, "CST": -6, "CDT": -5, "MT": -7, "MST": -7, "MDT": -6,
    "PT": -8, "PST": -8, "PDT": -7, "AKST": -9, "AKDT": -8, "HST": -10, "AST": -4, "ADT": -3,
}

# ---------------------------------------------------------------------------
# HTML: container search
# ---------------------------------------------------------------------------

#: Elements whose text counts as paragraph text when scoring containers.
PARAGRAPH_TAGS: frozenset[str] = frozenset("p pre blockquote".split())
#: A container's score is its paragraph text less this times its other text.
OTHER_TEXT_WEIGHT: float = 0.6
#: A <p>/<div> needs this many characters to count as a paragraph when scoring containers.
PARAGRAPH_MIN_CHARS: int = 25
#: A <div> with this many characters of its own text (outside child elements) is scored as a paragraph.
DIV_TEXT_MIN_CHARS: int = 80
#: A sibling of the chosen container with the same tag and class joins it when it holds at
#: least this share of the container's paragraph text and at most SIBLING_MAX_LINK_DENSITY links.
SIBLING_SCORE_RATIO: float = 0.2
SIBLING_MAX_LINK_DENSITY: float = 0.3
#: The container is widened to its parent while the text the parent adds is at least this
#: share paragraphs and at most WIDEN_MAX_LINK_DENSITY links.
WIDEN_MIN_PARAGRAPH_SHARE: float = 0.6
WIDEN_MAX_LINK_DENSITY: float = 0.2
