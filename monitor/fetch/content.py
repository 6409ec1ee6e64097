"""Is this response an article page at all? Decided from its declared type (pure).

A link in a feed can lead to a PDF, an image, a JSON API or a video; read as HTML, a PDF's
text streams or a JSON blob can pass for an "article" and end up in the digest. So a page
is read only when the server says it is HTML (``text/html``, ``application/xhtml+xml``),
or says nothing useful (no type, ``application/octet-stream``) and the bytes are clearly
an HTML document, as browsers sniff those two cases.

Any other declared type is refused with the reason ``content_type`` — unless the source
opted in (``read_mislabelled_html: true``, for a CMS that serves its pages as
``text/plain`` or ``application/pdf``) *and* the bytes are clearly HTML.
"""

from __future__ import annotations

import re

from monitor.errors import FetchError
from monitor.models import Response

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
#: declared types that say nothing, which browsers sniff
UNDECLARED = frozenset({"", "application/octet-stream", "unknown/unknown", "application/unknown"})

# what may precede the document element: BOMs, whitespace, comments, an XML declaration
_PREAMBLE = re.compile(
    rb"^(?:\xef\xbb\xbf|\xff\xfe|\xfe\xff|\s|<!--.*?-->|<\?xml[^>]{0,200}\?>)*", re.S
)
_HTML_START = re.compile(rb"<(?:!doctype\s+html|html|head|body)[\s>/]", re.I)


def clearly_html(body: bytes) -> bool:
    """The body opens as an HTML document (doctype, ``<html>``, ``<head>`` or ``<body>``)."""
    head = body[:4096]
    start = _PREAMBLE.match(head)
    rest = head[start.end() if start else 0 :]
    if b"\x00" in rest[:512]:  # UTF-16 pages carry a BOM and are matched above; NULs = binary
        return False
    return _HTML_START.match(rest) is not None


def check_page(response: Response, *, read_mislabelled_html: bool = False) -> None:
    """Raise FetchError ``content_type`` unless ``response`` is an HTML page."""
    declared = response.content_type
    if declared in HTML_TYPES:
        return
    if (declared in UNDECLARED or read_mislabelled_html) and clearly_html(response.body):
        return
    what = f"declared as {declared}" if declared else "served without a Content-Type"
    hint = (
        ""
        if declared in UNDECLARED or read_mislabelled_html
        else " (a source whose pages are HTML under a wrong type can set read_mislabelled_html)"
    )
    raise FetchError(response.final_url, f"not a web page: {what}{hint}", reason="content_type")
