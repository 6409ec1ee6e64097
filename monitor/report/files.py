"""``write_digest``: the digest's three files, each replaced atomically.

A reader (a web server, a mail job, the analyst's browser) must never see half a file,
so each is written to a temporary file in the same directory, flushed to disk, then
renamed over the old one. All three are rendered before the first is written: a render
failure leaves last run's files untouched.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path

from monitor.errors import ReportError

from .jsonout import render_json
from .model import Digest
from .renderers import render_html, render_markdown

log = logging.getLogger(__name__)


def write_digest(digest: Digest, directory: Path) -> dict[str, Path]:
    """Write ``<week>.html``, ``<week>.md`` and ``<week>.json`` into ``directory``
    (created if missing); returns ``{"html": path, "md": path, "json": path}``."""
    rendered = {
        "html": render_html(digest),
        "md": render_markdown(digest),
        "json": json.dumps(render_json(digest), ensure_ascii=False, indent=2) + "\n",
    }
    directory = Path(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(
            f"cannot create digest directory {directory}: {exc}", reason="write"
        ) from exc
    paths = {}
    for kind, text in rendered.items():
        path = directory / f"{digest.week}.{kind}"
        atomic_write(path, text)
        paths[kind] = path
    log.info("digest %s written to %s", digest.week, directory)
    return paths


def atomic_write(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` (UTF-8) so readers see the old or the new file, never
    a mix. Raises ``ReportError`` naming the file."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ReportError(f"cannot write digest file {path}: {exc}", reason="write") from exc
