"""Whatever a scraped string contains, the Markdown and HTML readers see it as text."""

from __future__ import annotations

import html

from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from monitor.report.text import clean_text, escape_markdown, safe_url

MARKDOWN = MarkdownIt("commonmark").enable("table")
SCRAPED = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)) | st.sampled_from("[]()<>*_`|\\!#&-+=.~"),
    max_size=60,
)


@settings(max_examples=400, deadline=None)
@given(SCRAPED)
@example("[x](javascript:alert(1))")
@example("<script>alert(1)</script>")
@example("&amp; &#x3C;b&#x3E;")
@example("1. first")
@example("- item")
@example("==")
@example("`code` **bold** _em_ ~~del~~")
@example("trailing backslash \\")
def test_escaped_text_reads_back_as_itself_in_a_quoted_line(raw: str) -> None:
    text = clean_text(raw)
    rendered = MARKDOWN.render("> " + escape_markdown(text, line_start=True) + "\n")
    if not text:
        return
    inner = rendered.removeprefix("<blockquote>\n<p>").removesuffix("</p>\n</blockquote>\n")
    assert html.unescape(inner) == text, rendered


@given(st.text(max_size=40))
@example("javascript:alert(1)")
@example(" JAVASCRIPT:alert(1)")
@example("data:text/html,<script>")
@example("//evil.example/x")
@example("https://ok.example/a b")
def test_only_absolute_http_urls_may_become_links(url: str) -> None:
    link = safe_url(url)
    if link is not None:
        assert link.lower().startswith(("http://", "https://"))
        assert not any(ch.isspace() for ch in link)
