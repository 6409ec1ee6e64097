"""Class and id vocabularies that mark boilerplate or content, and a fast matcher for them.

The lists are Readability's (Arc90 / Mozilla), extended with the boxes news sites add
(cookie and consent banners, newsletter and subscription prompts, "most read" rails).
Names are matched as substrings of the lower-cased ``class`` + ``id`` string, as
Readability does, so ``commentlist`` and ``site-header`` are caught.

Pages carry thousands of distinct class strings (generated ids defeat caching), and a
regular expression made of forty alternatives tries each of them at every position. The
patterns here are compiled as a prefix trie (``co(?:mbx|mment|mmunity|okie|nsent)``…), so
each position costs one branch per distinct first letter: about ten times faster.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

UNLIKELY_WORDS = (
    "-ad-", "ai2html", "banner", "breadcrumbs", "combx", "comment", "community", "cover-wrap",
    "disqus", "extra", "footer", "gdpr", "header", "legends", "menu", "related", "remark",
    "replies", "rss", "shoutbox", "sidebar", "skyscraper", "social", "sponsor", "supplemental",
    "ad-break", "agegate", "pagination", "pager", "popup", "yom-remote",
    # news sites
    "cookie", "consent", "newsletter", "subscri", "paywall", "recommend", "most-read",
    "mostread", "trending", "signup", "sign-up",
)  # fmt: skip
# The last part of a class token names what the box is: "article-comments" is comments,
# even though "article" would otherwise vouch for it (Readability's maybe-candidate rule).
JUNK_SUFFIXES = frozenset(
    {
        "comments", "comment", "related", "footer", "sidebar", "share", "sharing", "social",
        "newsletter", "subscribe", "subscription", "signup", "promo", "advert", "ads",
        "banner", "recommendations", "recommended", "trending", "popular", "cookie",
        "cookies", "consent", "paywall", "tags", "breadcrumbs", "pagination",
    }
)  # fmt: skip
MAYBE_CANDIDATE_WORDS = ("and", "article", "body", "column", "content", "main", "shadow")
POSITIVE_WORDS = (
    "article", "body", "content", "entry", "hentry", "h-entry", "main", "page", "pagination",
    "post", "text", "blog", "story",
)  # fmt: skip
NEGATIVE_WORDS = (
    "-ad-", "hidden", "banner", "combx", "comment", "com-", "contact", "foot", "footer",
    "footnote", "gdpr", "masthead", "media", "meta", "outbrain", "promo", "related", "scroll",
    "share", "shoutbox", "sidebar", "skyscraper", "sponsor", "shopping", "tags", "tool",
    "widget", "cookie", "newsletter", "subscri",
)  # fmt: skip
# Never article text, whatever else the class says: left out in every extraction attempt
# (the unlikely words above are let back in when a first attempt finds too little text).
HARD_JUNK_WORDS = ("cookie", "consent", "gdpr", "onetrust")
# Photo captions and credits: short boxes beside a picture, not the story.
CAPTION_WORDS = ("caption", "credit")
HARD_JUNK_ROLES = frozenset({"dialog", "alertdialog"})
BYLINE_WORDS = ("byline", "author", "dateline", "writtenby", "p-author")


def trie_pattern(words: Iterable[str]) -> re.Pattern[str]:
    """One compiled alternation of ``words`` (lower case), factored by common prefixes."""
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for ch in word.lower():
            node = node.setdefault(ch, {})
        node[""] = {}
    return re.compile(_to_regex(trie))


def _to_regex(node: dict[str, dict]) -> str:
    ends = "" in node
    branches = [re.escape(ch) + _to_regex(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if ends:  # a shorter word ends here: the rest is optional, the shortest match will do
        return ""
    return body


UNLIKELY = trie_pattern(UNLIKELY_WORDS)
MAYBE_CANDIDATE = trie_pattern(MAYBE_CANDIDATE_WORDS)
POSITIVE = trie_pattern(POSITIVE_WORDS)
NEGATIVE = trie_pattern(NEGATIVE_WORDS)
_HID = re.compile(r"(?:^|\s)hid(?:\s|$)")  # the class "hid" (Readability's ^hid$| hid …)
BYLINE = trie_pattern(BYLINE_WORDS)
HARD_JUNK = trie_pattern(HARD_JUNK_WORDS)
CAPTION = trie_pattern(CAPTION_WORDS)
# Any word of the four lists the cleaned tree's builder asks about: a class/id string
# without one (nine in ten) needs no further search.
ANY_NAMED = trie_pattern(UNLIKELY_WORDS + HARD_JUNK_WORDS + CAPTION_WORDS + BYLINE_WORDS)


_TOKEN_PARTS = re.compile(r"[-_]+")


def is_unlikely(name: str) -> bool:
    """Readability's test on a class/id string (boilerplate word, unless a content word
    vouches for it), with one exception to the vouching: a token ending in a junk word."""
    lowered = name.lower()
    if UNLIKELY.search(lowered) is None:
        return False
    if MAYBE_CANDIDATE.search(lowered) is None:
        return True
    return any(_TOKEN_PARTS.split(token)[-1] in JUNK_SUFFIXES for token in lowered.split())


def is_negative(name: str) -> bool:
    lowered = name.lower()
    return NEGATIVE.search(lowered) is not None or _HID.search(lowered) is not None
