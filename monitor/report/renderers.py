"""Render a ``Digest`` as the self-contained HTML page and as Markdown.

Both go through templates in ``templates/``; the work of choosing and counting is already
done in the digest, so the templates only lay it out in the order an analyst reads:
header and summary, coverage, camp × position table, positions, framing, crawl health,
method footer."""

from __future__ import annotations

from jinja2 import Template

from monitor.errors import ReportError

from .model import Digest
from .templating import html_environment, markdown_environment


def render_html(digest: Digest) -> str:
    """One HTML file: inline CSS and SVG, no script, no external resource."""
    return _render(html_environment().get_template("digest.html"), digest)


def render_markdown(digest: Digest) -> str:
    """GitHub-flavoured Markdown, every scraped string escaped."""
    return _render(markdown_environment().get_template("digest.md"), digest)


def _render(template: Template, digest: Digest) -> str:
    try:
        return template.render(d=digest)
    except Exception as exc:  # a template defect must name the week it broke
        raise ReportError(
            f"digest {digest.week}: rendering {template.name} failed: {exc}",
            reason="render",
        ) from exc
