"""The `monitor` command line: one sub-command per thing an analyst does.

Every command finds the same four things the same way — the data root, the database, the
sources and the positions — from options, then environment variables, then defaults in
the current directory. A configuration mistake prints one paragraph and exits 2; any other
failure the monitor foresaw prints one line and exits 1; nothing prints a traceback unless
``--debug`` asks for it. Heavy modules are imported inside the commands so `--help` is fast.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from monitor import __version__
from monitor.demo_data import ARCHIVE as DEMO_ARCHIVE  # in the package, not under tests/
from monitor.errors import ConfigError, ExtractError, MonitorError, failure_reason

if TYPE_CHECKING:
    from monitor.config import Selectors
    from monitor.models import ExtractedArticle, StoredArticle
    from monitor.pipeline import CrawlResult
    from monitor.runtime import Settings
    from monitor.store import Store

F = TypeVar("F", bound=Callable[..., Any])



def _json_logs() -> bool:
    ctx = click.get_current_context(silent=True)
    return ctx is not None and ctx.find_root().params.get("log_format") == "json"


def _note(message: str, *, level: int = logging.INFO) -> None:
    """A line for the operator on stderr; with --log-format json, a JSON log record, so
    a log collector gets nothing but JSON."""
    if _json_logs():
        logging.getLogger("monitor").log(level, message)
    else:
        click.echo(message, err=True)


def _fail_cleanly(func: F) -> F:
    """Turn the monitor's own errors into a clear message and an exit code."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context()
        debug = bool(ctx.find_root().params.get("debug"))
        try:
            return func(*args, **kwargs)
        except ConfigError as exc:
            if debug:
                raise
            _note(f"Configuration error — {exc.message}", level=logging.ERROR)
            sys.exit(2)
        except MonitorError as exc:
            if debug:
                raise
            _note(f"Error: {exc.message}", level=logging.ERROR)
            sys.exit(1)
        except KeyboardInterrupt:
            _note("Interrupted.", level=logging.WARNING)
            sys.exit(130)

    return wrapper  # type: ignore[return-value]


def _settings(ctx: click.Context) -> Settings:
    from monitor.runtime import Settings

    root = ctx.find_root().params
    return Settings(
        storage=Path(root["storage"]),
        sources_path=Path(root["sources"]),
        positions_path=Path(root["positions"]),
        db_url=root["db"],
        semantic=root["semantic"],
    )


def _console(err: bool = True) -> Any:
    from rich.console import Console

    # soft wrap: long URLs and paths stay whole when the output is a pipe or a log file
    return Console(stderr=err, highlight=False, soft_wrap=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="monitor")
@click.option(
    "--storage",
    envvar="MONITOR_STORAGE",
    default="storage",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Data root: SQLite database, WARC captures, digests. Env: MONITOR_STORAGE.",
)
@click.option(
    "--db",
    envvar="MONITOR_DB",
    default=None,
    metavar="URL",
    help="SQLAlchemy database URL, e.g. postgresql://user@host/db "
    "(default: SQLite at STORAGE/monitor.db). Env: MONITOR_DB.",
)
@click.option(
    "--sources",
    envvar="MONITOR_SOURCES",
    default="sources.yaml",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="The watched outlets. Env: MONITOR_SOURCES.",
)
@click.option(
    "--positions",
    envvar="MONITOR_POSITIONS",
    default="positions.yaml",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="The baseline's positions (P1, P2, …) for the differ. Env: MONITOR_POSITIONS.",
)
@click.option(
    "--semantic",
    envvar="MONITOR_SEMANTIC",
    type=click.Choice(["off", "auto", "on"]),
    default="off",
    show_default=True,
    help="Cross-lingual sentence anchoring with the optional [semantic] extra. "
    "Env: MONITOR_SEMANTIC.",
)
@click.option(
    "-v",
    "--verbose",
    count=True,
    help="Debug log output (-vv: also the HTTP and scheduler libraries).",
)
@click.option(
    "--log-format",
    envvar="MONITOR_LOG_FORMAT",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: one JSON object per log line (time, level, logger, message, exc_info), for "
    "a log collector. Env: MONITOR_LOG_FORMAT.",
)
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors.")
@click.option("--debug", is_flag=True, help="Show tracebacks instead of one-line errors.")
def main(**params: Any) -> None:
    """Comparative media monitor: how Russian, Chinese, Western, Korean and Ukrainian
    outlets frame the 2024 Russia–DPRK treaty and the North Korean troops in Kursk, set
    against the positions of one baseline analysis (Kortunov, RIAC, 2024).

    \b
    Typical use:
      monitor demo                      offline demo from the bundled archive
      monitor run                       the daemon: crawl on schedule, weekly digest
      monitor crawl --once              visit every source once now
      monitor digest --week 2024-W44    write that week's digest
      monitor diff --text-file a.txt    set one text against the baseline
      monitor label 42 P4 contest       correct the differ's stance of a stored piece
    """
    level = logging.WARNING if params["quiet"] else logging.INFO
    if params["verbose"] or params["debug"]:
        level = logging.DEBUG
    handler: logging.Handler
    if params["log_format"] == "json":
        from pythonjsonlogger.json import JsonFormatter

        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(
            JsonFormatter(
                "%(levelname)s %(name)s %(message)s",
                rename_fields={"levelname": "level", "name": "logger"},
                timestamp="time",  # ISO 8601, UTC
            )
        )
    elif sys.stderr.isatty():
        from rich.logging import RichHandler

        handler = RichHandler(console=_console(), show_path=False, markup=False)
        handler.setFormatter(logging.Formatter("%(message)s", datefmt="%H:%M:%S"))
    else:  # a daemon's log (docker, systemd): one plain, timestamped line per event
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(
            logging.Formatter(
                "%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%dT%H:%M:%S"
            )
        )
    logging.basicConfig(level=level, handlers=[handler], force=True)
    # third-party chatter only with -vv
    noisy_level = logging.DEBUG if params["verbose"] >= 2 else max(level, logging.WARNING)
    for noisy in ("httpx", "httpcore", "apscheduler", "alembic"):
        logging.getLogger(noisy).setLevel(noisy_level)


# ── run / crawl ─────────────────────────────────────────────────────────────────────


def _print_crawl(result: CrawlResult) -> None:
    if _json_logs():  # one record with the visit's counts as fields
        logging.getLogger("monitor.visits").info(
            "%s %s: %s", result.source_id, "ok" if result.ok else "failed", result.summary(),
            extra={"source": result.source_id, "ok": result.ok,
                   "counts": dict(result.counts), "errors": result.errors[:3]},
        )  # fmt: skip
        return
    if result.ok:
        mark = "[green]ok[/]"
    elif result.not_archived:
        mark = "[yellow]not in archive[/]"
    else:
        mark = "[red]failed[/]"
    _console().print(f"{result.source_id:<18} {mark}  {result.summary()}")
    for error in result.errors[:2]:
        _console().print(f"    [dim]{error}[/]", markup=True, highlight=False)


ROLE_CHOICES = ("crawler", "analyser", "reporter", "all")

#: ``--workers`` of `run` and `crawl`: one meaning for both, so a page gets the same time
#: limit whichever command reads it
_workers_option = click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=None,
    help="Worker processes for page extraction and the differ (default: 2, or 1 on one "
    "core). A page's work gets page_timeout_seconds there; 0 runs it in this process, "
    "where nothing can cut a page that hangs.",
)


@main.command()
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice(ROLE_CHOICES),
    default=("all",),
    show_default=True,
    help="What this daemon does: crawler (visit sources, store pieces), analyser (run the "
    "differ on stored pieces), reporter (the weekly digest), or all. Repeatable.",
)
@click.option("--source", "only", multiple=True, metavar="ID", help="Only these sources.")
@click.option("--no-digest", is_flag=True, help="Do not schedule the weekly digest.")
@_workers_option
@click.option(
    "--lease",
    "lease_seconds",
    envvar="MONITOR_LEASE_SECONDS",
    type=click.FloatRange(min=1.0),
    default=60.0,
    show_default=True,
    metavar="SECONDS",
    help="PostgreSQL: how long a daemon may go without a heartbeat before the others take "
    "over its running visits and analyses. Env: MONITOR_LEASE_SECONDS.",
)
@click.option(
    "--replay",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Serve responses from these WARC files instead of the network.",
)
@click.option(
    "--metrics-port",
    envvar="MONITOR_METRICS_PORT",
    type=click.IntRange(0, 65535),
    default=None,
    help="Serve Prometheus metrics on http://HOST:PORT/metrics (needs the [metrics] "
    "extra). Env: MONITOR_METRICS_PORT.",
)
@click.option(
    "--metrics-host",
    envvar="MONITOR_METRICS_HOST",
    default="127.0.0.1",
    show_default=True,
    help="Address the metrics endpoint listens on (0.0.0.0 in a container). "
    "Env: MONITOR_METRICS_HOST.",
)
@click.pass_context
@_fail_cleanly
def run(
    ctx: click.Context,
    roles: tuple[str, ...],
    only: tuple[str, ...],
    no_digest: bool,
    workers: int | None,
    lease_seconds: float,
    replay: tuple[str, ...],
    metrics_port: int | None = None,
    metrics_host: str = "127.0.0.1",
) -> None:
    """Run the daemon: crawl each source on its interval, analyse what it stores, write
    the weekly digest.

    Stops cleanly on Ctrl-C or SIGTERM: no new page or analysis starts, running ones get a
    grace period, nothing stored is lost and pending analysis resumes at the next start.
    """
    from monitor.config import load_sources
    from monitor.daemon import ROLES, run_daemon

    settings = _settings(ctx)
    config = load_sources(settings.sources_path)
    for source_id in only:
        config.source(source_id)
    chosen = ROLES if "all" in roles else tuple(dict.fromkeys(roles))
    _note(
        f"monitor daemon ({', '.join(chosen)}): "
        f"{len(only) or sum(s.enabled for s in config.sources)} sources, "
        f"store {settings.database_url()}, digests in {settings.digest_dir}. Ctrl-C stops."
    )
    metrics, server = None, None
    if metrics_port is not None:
        from monitor.metrics import Metrics

        metrics = Metrics()
        server = metrics.serve(metrics_host, metrics_port)
        _note(f"metrics on http://{metrics_host}:{server.server_port}/metrics")
    try:
        asyncio.run(
            run_daemon(
                settings,
                roles=chosen,
                only=only,
                digest=not no_digest,
                replay=[Path(p) for p in replay],
                workers=workers,
                lease_seconds=lease_seconds,
                on_crawl=_print_crawl,
                metrics=metrics,
            )
        )
    finally:
        if server is not None:
            server.shutdown()
    _note("monitor daemon stopped.")


@main.command()
@click.option("--once", is_flag=True, help="Visit each selected source once, then exit.")
@click.option("--source", "only", multiple=True, metavar="ID", help="Only these sources.")
@click.option(
    "--replay",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Serve responses from these WARC files instead of the network (offline).",
)
@_workers_option
@click.pass_context
@_fail_cleanly
def crawl(
    ctx: click.Context,
    once: bool,
    only: tuple[str, ...],
    replay: tuple[str, ...],
    workers: int | None,
) -> None:
    """Crawl sources now. With --once: one visit each, a summary, exit status 0 when every
    source answered (1 otherwise). Without --once: keep crawling on each source's interval
    (the daemon without the digest)."""
    settings = _settings(ctx)
    if not once:
        ctx.invoke(
            run,
            roles=("crawler", "analyser"),
            only=only,
            no_digest=True,
            workers=workers,
            lease_seconds=60.0,
            replay=replay,
        )
        return
    # the daemon's lock: a visit beside a daemon's would double every site's load
    with settings.daemon_lock("monitor crawl --once") or nullcontext():
        results = asyncio.run(_crawl_once(settings, only, [Path(p) for p in replay], workers))
    failed = [r for r in results if not r.ok and not r.not_archived]
    _note(
        f"{len(results)} sources visited, {sum(r.counts['stored'] for r in results)} new "
        f"articles stored, {len(failed)} sources failed."
    )
    if failed:
        sys.exit(1)


async def _crawl_once(
    settings: Settings, only: Sequence[str], replay: Sequence[Path], workers: int | None
) -> list[CrawlResult]:
    """One visit of each source, page work in ``workers`` worker processes as the daemon
    has them (default two), so a page that hangs is cut at its time limit instead of
    holding up every other host. Leaving the pipeline, also on Ctrl-C, stops them."""
    from monitor.runtime import open_pipeline
    from monitor.workers import default_processes

    processes = default_processes() if workers is None else workers
    async with open_pipeline(settings, replay=replay, processes=processes) as pipeline:
        await pipeline.work.start()
        config = pipeline.config
        sources = (
            [config.source(s) for s in only] if only else [s for s in config.sources if s.enabled]
        )
        results = []
        for result in asyncio.as_completed([pipeline.crawl_source(s) for s in sources]):
            done = await result
            _print_crawl(done)
            results.append(done)
        await pipeline.analyse_pending()
        return results


# ── demo ────────────────────────────────────────────────────────────────────────────


@main.command()
@click.option(
    "--archive",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="WARC files to replay (default: the bundled monitor/demo_data/demo.warc.gz).",
)
@click.option(
    "--into",
    type=click.Path(file_okay=False),
    default=None,
    help="Data root for the demo (default: STORAGE/demo). It is emptied first.",
)
@click.pass_context
@_fail_cleanly
def demo(ctx: click.Context, archive: tuple[str, ...], into: str | None) -> None:
    """Offline demo: replay the bundled archive into a fresh store, run the whole pipeline,
    write the weekly digests and print where they are. Needs no network."""
    from monitor.demo import run_demo

    settings = _settings(ctx)
    archives = [Path(a) for a in archive] or [DEMO_ARCHIVE]
    if not archives[0].exists():
        raise MonitorError(
            f"the demo archive {archives[0]} is missing; run from a checkout of the project "
            "or pass --archive FILE.warc.gz"
        )
    root = Path(into) if into else settings.storage / "demo"
    outcome = asyncio.run(run_demo(settings, archives, root, on_crawl=_print_crawl))
    # plain echo, not rich: a path wrapped at the terminal's width cannot be copied
    click.echo(
        f"\nDemo: {outcome.articles} articles stored from {outcome.sources} outlets "
        f"({outcome.dropped} off-topic pieces dropped)."
    )
    for week, paths in outcome.digests.items():
        click.echo(f"Digest {week}: {paths['html']}  (also .md, .json)")
    if outcome.digests:
        latest = list(outcome.digests.values())[-1]["html"]
        click.echo(f"\nOpen the digest: {latest.resolve()}")


# ── extract / diff ──────────────────────────────────────────────────────────────────


@main.command()
@click.argument(
    "paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path)
)
@click.option("--url", default=None, help="The page's URL (one file only; default: file://PATH).")
@click.option(
    "--source",
    "source_id",
    default=None,
    metavar="ID",
    help="Use this source's selectors and language from sources.yaml "
    "(default: the source whose site --url is on, if any).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "jsonl", "text"]),
    default="json",
    show_default=True,
    help="json: one object (an array for several files); jsonl: one object per line; "
    "text: title, date, byline and body for reading.",
)
@click.pass_context
@_fail_cleanly
def extract(
    ctx: click.Context, paths: tuple[Path, ...], url: str | None, source_id: str | None, fmt: str
) -> None:
    """Extract the article from saved HTML pages: title, authors, date, language, text.

    PATHS are files, or folders read recursively for *.html / *.htm files; thousands are
    read in one process. Each page gives {"url","title","authors","published","language",
    "text"} (with "path" when there are several); a page that holds no article gives
    {"path","url","error":{"reason","message"}} instead, and the others go on. Progress and a
    summary go to stderr. Exit status: 0 when every page gave an article, 2 when any did not.
    """
    files = _html_files(paths)
    if url and len(files) > 1:
        raise click.UsageError("--url names one page; give one file with it")
    selectors, language = _extract_settings(ctx, source_id, url)
    several = len(files) > 1
    out = _ExtractOutput(fmt, several)
    progress = _Progress(len(files)) if several else None
    for path in files:
        page_url = url or path.resolve().as_uri()
        try:
            article = _extract_file(path, page_url, selectors, language)
        except Exception as exc:  # one bad file is a typed error line, never the end of a run
            reason, message = failure_reason(exc)
            out.failure(path, page_url, reason, message)
            if progress:
                progress.step(reason)
            elif fmt == "text":
                click.echo(f"Error: {message}", err=True)
            continue
        out.article(path, article)
        if progress:
            progress.step(None)
    out.close()
    if progress:
        progress.finish()
    if out.failed:
        sys.exit(2)


_HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".shtml")


def _html_files(paths: tuple[Path, ...]) -> list[Path]:
    """Files as given; folders expanded to the HTML files below them, in name order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*") if p.suffix.lower() in _HTML_SUFFIXES and p.is_file()
            )
            if not found:
                raise click.UsageError(f"{path}: no .html or .htm files in this folder")
            files += found
        else:
            files.append(path)
    return files


def _extract_settings(
    ctx: click.Context, source_id: str | None, url: str | None
) -> tuple[Selectors | None, str | None]:
    """The selectors and language of the outlet named, else of the one whose site the URL
    is on: extract as the crawl would."""
    if not (source_id or url):
        return None, None
    from monitor.config import load_sources

    config = load_sources(_settings(ctx).sources_path)
    source = config.source(source_id) if source_id else config.source_for_url(url or "")
    if source is None:
        return None, None
    return source.selectors, source.language


def _extract_file(
    path: Path, url: str, selectors: Selectors | None, language: str | None
) -> ExtractedArticle:
    from monitor.extract import extract as run_extract

    try:
        html = path.read_bytes()
    except OSError as exc:
        raise ExtractError(url, f"cannot read {path}: {exc.strerror}", reason="unreadable") from exc
    return run_extract(html, url, selectors=selectors, default_language=language)


class _ExtractOutput:
    """Writes each page's result as soon as it is known, so a long run streams."""

    def __init__(self, fmt: str, several: bool) -> None:
        self.fmt, self.several = fmt, several
        self.failed = 0
        self.count = 0

    def article(self, path: Path, article: ExtractedArticle) -> None:
        if self.fmt == "text":
            self._text(path, article)
            return
        data = article.to_json()
        self._object({"path": str(path), **data} if self.several else data)

    def failure(self, path: Path, url: str, reason: str, message: str) -> None:
        self.failed += 1
        if self.fmt != "text":
            error = {"reason": reason, "message": message}
            self._object({"path": str(path), "url": url, "error": error})

    def _object(self, data: dict[str, Any]) -> None:
        if self.fmt == "jsonl":
            click.echo(json.dumps(data, ensure_ascii=False))
        elif not self.several:
            click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        else:  # a JSON array, streamed
            lead = "[\n" if self.count == 0 else ",\n"
            click.echo(lead + json.dumps(data, ensure_ascii=False, indent=2), nl=False)
        self.count += 1

    def _text(self, path: Path, article: ExtractedArticle) -> None:
        if self.several:
            click.echo(f"==> {path} <==")
        click.echo(f"{article.title or '(no title)'}\n")
        meta = [
            article.published.isoformat() if article.published else "no date",
            ", ".join(article.authors) or "no byline",
            article.language or "?",
        ]
        click.echo(" · ".join(meta) + "\n")
        click.echo(article.text + ("\n" if self.several else ""))

    def close(self) -> None:
        if self.fmt == "json" and self.several:
            click.echo("\n]" if self.count else "[]")


class _Progress:
    """A line on stderr every few seconds of a long run, and a summary at the end."""

    EVERY = 2.0  # seconds

    def __init__(self, total: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.total, self.clock = total, clock
        self.done = 0
        self.reasons: Counter[str] = Counter()
        self.start = self.last = clock()

    def step(self, reason: str | None) -> None:
        self.done += 1
        if reason:
            self.reasons[reason] += 1
        now = self.clock()
        if now - self.last >= self.EVERY and self.done < self.total:
            self.last = now
            rate = self.done / (now - self.start)
            click.echo(
                f"extract: {self.done:,}/{self.total:,} files, "
                f"{sum(self.reasons.values()):,} failed, {rate:,.0f} files/s",
                err=True,
            )

    def finish(self) -> None:
        elapsed = self.clock() - self.start
        failed = sum(self.reasons.values())
        detail = ", ".join(f"{r} {n:,}" for r, n in self.reasons.most_common())
        click.echo(
            f"extract: {self.total:,} files, {self.total - failed:,} articles, {failed:,} failed"
            + (f" ({detail})" if detail else "")
            + f" in {elapsed:.1f} s",
            err=True,
        )


@main.command()
@click.option(
    "--text-file",
    type=click.Path(exists=True, dir_okay=False),
    help="A plain-text file holding the piece.",
)
@click.option("--url", default=None, help="A stored article, by URL.")
@click.option("--article", "article_id", type=int, default=None, help="A stored article, by id.")
@click.option("--lang", default=None, metavar="xx", help="Language of the text (default: detect).")
@click.option("--title", default=None, help="The piece's title (for --text-file).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "text"]),
    default="text",
    show_default=True,
    help="json: the machine contract; text: a framing diff.",
)
@click.pass_context
@_fail_cleanly
def diff(
    ctx: click.Context,
    text_file: str | None,
    url: str | None,
    article_id: int | None,
    lang: str | None,
    title: str | None,
    fmt: str,
) -> None:
    """Set one piece against the baseline's positions: echo, contest, mixed or absent
    per position, with the evidence sentences, plus how the piece frames the story."""
    from monitor.differ import Differ, load_positions
    from monitor.differ.render import render_terminal

    chosen = [x is not None for x in (text_file, url, article_id)]
    if sum(chosen) != 1:
        raise click.UsageError("give exactly one of --text-file, --url, --article")
    settings = _settings(ctx)
    positions = load_positions(settings.positions_path)
    if text_file:
        raw = Path(text_file).read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise MonitorError(f"{text_file}: not UTF-8 text; convert it first") from None
    else:
        from monitor.store import open_store

        store = open_store(settings.database_url())
        try:
            stored = (
                store.article(article_id)
                if article_id is not None
                else store.article_by_url(url or "")
            )
        finally:
            store.close()
        text, lang, title = stored.text, lang or stored.language, stored.title
    result = Differ(positions, semantic=settings.semantic).diff(  # type: ignore[arg-type]
        text, language=lang, title=title
    )
    if fmt == "json":
        click.echo(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        _console(err=False).print(render_terminal(result, positions))


# ── digest / re-analysis / status / sources ─────────────────────────────────────────


@main.command()
@click.option(
    "--week",
    default=None,
    metavar="YYYY-Www",
    help="ISO week, e.g. 2024-W44 (default: the last complete week).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    default=None,
    help="Directory for the digest files (default: STORAGE/digests).",
)
@click.option(
    "--email",
    is_flag=True,
    help="Also e-mail it as the daemon does (digest.email in sources.yaml), unless that week "
    "was e-mailed already.",
)
@click.pass_context
@_fail_cleanly
def digest(ctx: click.Context, week: str | None, out: str | None, email: bool) -> None:
    """Write the weekly digest of one ISO week: STORAGE/digests/YYYY-Www.{html,md,json},
    plus an Atom feed of recent digests (digests.atom). Articles analysed with an older
    positions.yaml are re-analysed first."""
    from datetime import timedelta

    from monitor.pipeline import utc_now
    from monitor.report import week_bounds, week_of

    week = week or week_of(utc_now() - timedelta(days=7))
    try:  # a malformed week fails before anything is opened
        week_bounds(week)
    except MonitorError as exc:
        raise click.BadParameter(exc.message, param_hint="'--week'") from None
    settings = _settings(ctx)
    directory = Path(out) if out else settings.digest_dir
    paths, mailed = asyncio.run(_write_digest(settings, week, directory, email=email))
    click.echo(f"Digest {week}: {paths['html']}  {paths['md']}  {paths['json']}")
    if mailed is not None:
        click.echo(f"E-mail: {mailed}.")


async def _write_digest(
    settings: Settings, week: str, directory: Path, *, email: bool = False
) -> tuple[dict[str, Path], str | None]:
    from monitor.runtime import open_analysis_pipeline

    with open_analysis_pipeline(settings) as pipeline:
        stale = await pipeline.analyse_pending()
        if stale:
            logging.getLogger(__name__).info("re-analysed %d articles first", stale)
        paths = pipeline.write_digest(week, directory)
        return paths, pipeline.mail_digest(week, paths) if email else None


def _day_or_week(value: str | None, *, end: bool, option: str) -> Any:
    """``YYYY-MM-DD`` (a UTC day) or ``YYYY-Www``: its first moment, or with ``end`` the
    first moment after it, so ``--until 2024-11-03`` includes that Sunday."""
    from datetime import UTC, datetime, timedelta

    from monitor.errors import ReportError
    from monitor.report import week_bounds

    if value is None:
        return None
    if "-W" in value:
        try:
            bounds = week_bounds(value)
        except ReportError as exc:
            raise click.BadParameter(exc.message, param_hint=option) from None
        return bounds[1] if end else bounds[0]
    try:
        day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date: use YYYY-MM-DD or an ISO week YYYY-Www", param_hint=option
        ) from None
    return day + timedelta(days=1) if end else day


@main.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "jsonl"]),
    default="csv",
    show_default=True,
    help="csv: one row per piece, per position its stance, confidence and whether an analyst "
    "set it; jsonl: one JSON object per piece.",
)
@click.option("--since", default=None, metavar="DATE", help="First day (YYYY-MM-DD or YYYY-Www).")
@click.option(
    "--until", default=None, metavar="DATE", help="Last day, included (YYYY-MM-DD or YYYY-Www)."
)
@click.option("--camp", "camps", multiple=True, metavar="CAMP", help="Only this camp (repeatable).")
@click.option(
    "--source", "sources", multiple=True, metavar="ID", help="Only this source (repeatable)."
)
@click.option(
    "--out",
    default="-",
    metavar="FILE",
    show_default=True,
    help="Write to FILE instead of standard output.",
)
@click.pass_context
@_fail_cleanly
def export(
    ctx: click.Context,
    fmt: str,
    since: str | None,
    until: str | None,
    camps: tuple[str, ...],
    sources: tuple[str, ...],
    out: str,
) -> None:
    """Export stored pieces with their stances on every position (an analyst's label wins
    and is marked), as CSV or JSON Lines. Pieces are chosen by date (published, else first
    seen; UTC), camp and source. Stances are as stored: run `monitor reanalyse` first after
    editing positions.yaml."""
    from monitor.models import CAMPS
    from monitor.runtime import open_analysis_pipeline

    start = _day_or_week(since, end=False, option="--since")
    stop = _day_or_week(until, end=True, option="--until")
    if start is not None and stop is not None and stop <= start:
        raise click.BadParameter(f"--until {until} is before --since {since}", param_hint="--until")
    for camp in camps:
        if camp not in CAMPS:
            raise click.BadParameter(
                f"unknown camp {camp!r} (one of {', '.join(CAMPS)})", param_hint="--camp"
            )
    settings = _settings(ctx)
    with open_analysis_pipeline(settings) as pipeline:
        known = {s.id for s in pipeline.config.sources} | set(pipeline.store.sources())
        for source in sources:
            if source not in known:
                raise click.BadParameter(f"unknown source {source!r}", param_hint="--source")
        lines = pipeline.export(fmt, since=start, until=stop, camps=camps, sources=sources)
        count = _write_lines(lines, out)
    pieces = count - (1 if fmt == "csv" else 0)
    where = "standard output" if out == "-" else out
    click.echo(f"{pieces} piece{'' if pieces == 1 else 's'} exported to {where}.", err=True)


def _write_lines(lines: Any, target: str) -> int:
    """Stream ``lines`` to standard output, or to ``target`` replaced atomically."""
    count = 0
    if target == "-":
        for line in lines:
            click.echo(line, nl=False)
            count += 1
        return count
    path = Path(target)
    tmp = path.with_name(path.name + ".tmp")
    try:
        with tmp.open("w", encoding="utf-8", newline="") as handle:
            for line in lines:
                handle.write(line)
                count += 1
        tmp.replace(path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise MonitorError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return count


@main.command()
@click.pass_context
@_fail_cleanly
def reanalyse(ctx: click.Context) -> None:
    """Re-diff stored articles whose stances came from another version of positions.yaml."""
    from rich.progress import Progress

    from monitor.runtime import open_analysis_pipeline

    with (
        open_analysis_pipeline(_settings(ctx)) as pipeline,
        Progress(console=_console(), transient=True) as bar,
    ):
        task = bar.add_task("re-analysing", total=None)
        n = pipeline.rediff_stale(progress=lambda done: bar.update(task, completed=done))
    click.echo(f"{n} articles re-analysed (analysis version {pipeline.differ.version}).")


@main.command()
@click.option(
    "--older-than",
    "days",
    type=click.IntRange(min=1),
    default=None,
    metavar="DAYS",
    help="Delete WARC capture files older than DAYS days (default: retention.warc_days "
    "of sources.yaml).",
)
@click.option("--dry-run", is_flag=True, help="Only say what would be deleted.")
@click.pass_context
@_fail_cleanly
def prune(ctx: click.Context, days: int | None, dry_run: bool) -> None:
    """Delete raw WARC captures past their retention, and their capture rows. Articles,
    stances and analyst corrections are kept; the daemon does this every day when
    retention.warc_days is set."""
    from monitor.runtime import open_analysis_pipeline

    settings = _settings(ctx)
    with open_analysis_pipeline(settings) as pipeline:
        days = days or pipeline.config.retention.warc_days
        if days is None:
            _refuse("no retention set: give --older-than DAYS or set retention.warc_days")
        pruned = pipeline.prune_captures(settings.warc_dir, days, dry_run=dry_run)
    size = f"{pruned.bytes / 1e6:.1f} MB"
    if dry_run:
        click.echo(f"would delete {pruned.files} WARC files ({size}) older than {days} days")
    else:
        click.echo(f"deleted {pruned.files} WARC files ({size}) older than {days} days and "
                   f"{pruned.captures} capture rows; articles and stances are kept")  # fmt: skip


# ── analyst corrections ─────────────────────────────────────────────────────────────


def _refuse(message: str) -> NoReturn:
    """A mistake in what the analyst typed: one line, exit status 2 (as click's own)."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(2)


def _labeller(given: str | None) -> str:
    return (given or os.environ.get("USER") or "").strip() or "analyst"


def _find_article(store: Store, ref: str) -> StoredArticle:
    """ARTICLE as typed: a stored article's id, or its URL (any form of it)."""
    from monitor.errors import StoreError

    ref = ref.strip()
    try:
        return store.article(int(ref)) if ref.isdigit() else store.article_by_url(ref)
    except StoreError as exc:
        if exc.reason != "not_found":
            raise
    except ValueError:  # not even a URL (a bad port…)
        pass
    what = f"with id {ref}" if ref.isdigit() else f"for {ref!r}"
    _refuse(f"no stored article {what} (give an article id or the URL of a stored piece)")


@main.command()
@click.argument("article", required=False)
@click.argument("position", required=False)
@click.argument("stance", required=False)
@click.option(
    "--note",
    default=None,
    metavar="TEXT",
    help="Why the differ was wrong; shown beside the label in the digest and exported.",
)
@click.option(
    "--by",
    "labelled_by",
    default=None,
    metavar="NAME",
    help="Who is labelling (default: $USER, else 'analyst').",
)
@click.option("--clear", is_flag=True, help="Remove the label of ARTICLE on POSITION (no STANCE).")
@click.option("--list", "show", is_flag=True, help="Print the current labels as a table.")
@click.option(
    "--export",
    "export_to",
    default=None,
    metavar="FILE.jsonl",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Write every corrected piece as one JSON line of labelled data ('-': stdout).",
)
@click.pass_context
@_fail_cleanly
def label(
    ctx: click.Context,
    article: str | None,
    position: str | None,
    stance: str | None,
    note: str | None,
    labelled_by: str | None,
    clear: bool,
    show: bool,
    export_to: str | None,
) -> None:
    """Correct the differ: set an analyst's stance for one stored piece on one position.

    \b
      monitor label ARTICLE POSITION STANCE [--note TEXT]   set, or replace, a label
      monitor label ARTICLE POSITION --clear                remove it
      monitor label --list                                  print the current labels
      monitor label --export FILE.jsonl                     corrected pieces as labelled data

    ARTICLE is a stored article's id (`monitor label --list` and the digest's JSON show
    ids) or its URL; POSITION a position id of positions.yaml, e.g. P4; STANCE is echo,
    contest, mixed or absent. One label per article and position: labelling again
    replaces it; --clear brings the differ's own stance back.

    Labels are stored apart from the differ's results, so re-analysis (`monitor
    reanalyse`, an edited positions.yaml, a re-crawled piece) never changes them. Wherever
    stances are read — the digest's counts, its strongest pieces, its JSON, the export —
    the label wins over the differ's stance, counts as sure (confidence 1.0) and is shown
    as analyst-corrected, with its note and what the differ had said.

    The export writes one line per corrected piece, shaped like the corpus files: id
    ("store-<article id>"), url, outlet, camp, lang, date (YYYY-MM-DD or null), title,
    text, stance (every position of positions.yaml: the label where there is one, else the
    differ's current stance; stale pieces are re-analysed first), corrected (the positions
    an analyst set) and note (their notes, "P4: …; P7: …").

    A mistake in ARTICLE, POSITION or STANCE prints one line and exits with status 2.
    """
    settings = _settings(ctx)
    given = [x is not None for x in (article, position, stance)]
    if show or export_to:
        if show and export_to:
            _refuse("give --list or --export, not both")
        if any(given) or clear or note is not None:
            _refuse("--list and --export take no ARTICLE, POSITION, STANCE, --clear or --note")
        if show:
            _list_labels(settings)
        else:
            _export_labels(settings, export_to or "-")
        return
    if clear:
        if article is None or position is None or stance is not None or note is not None:
            _refuse("--clear takes ARTICLE and POSITION only, e.g. monitor label 42 P4 --clear")
    elif not all(given):
        _refuse(
            "give ARTICLE POSITION STANCE (e.g. monitor label 42 P4 contest), "
            "or --clear, --list or --export; see monitor label --help"
        )
    assert article is not None and position is not None
    _set_or_clear(settings, article, position, stance, note=note, by=labelled_by)


def _set_or_clear(
    settings: Settings,
    ref: str,
    position: str,
    stance: str | None,
    *,
    note: str | None,
    by: str | None,
) -> None:
    from monitor.differ import load_positions
    from monitor.models import STANCES
    from monitor.store import open_store

    known = [p.id for p in load_positions(settings.positions_path).positions]
    pid = position.strip().upper()
    if stance is not None:
        # a label needs a position of positions.yaml; --clear may also remove a label on
        # a position since dropped from the file
        if pid not in known:
            _refuse(_unknown_position(position, known, settings))
        stance = stance.strip().lower()
        if stance not in STANCES:
            _refuse(f"unknown stance {stance!r}: use echo, contest, mixed or absent")
    with open_store(settings.database_url()) as store:
        piece = _find_article(store, ref)
        before = store.stances_for([piece.id]).get(piece.id, ())
        current = next((s for s in before if s.position_id == pid), None)
        if stance is None:  # --clear
            if current is None or current.correction is None:
                if pid not in known:
                    _refuse(_unknown_position(position, known, settings))
                click.echo(f"Article {piece.id} has no label on {pid}; nothing to clear.")
                return
            store.clear_correction(piece.id, pid)
            after = store.stances_for([piece.id]).get(piece.id, ())
            now = next((s for s in after if s.position_id == pid), None)
            shown = f"{now.stance}, confidence {now.confidence:.2f}" if now else "no call yet"
            click.echo(
                f"Cleared the label of article {piece.id} on {pid}; "
                f"the differ's stance shows again: {shown}."
            )
            return
        saved = store.set_correction(piece.id, pid, stance, note=note, labelled_by=_labeller(by))
    if current is None:
        differ = "the differ has no call on it yet"
    elif current.correction is not None:
        differ = f"replacing the label {current.stance}" + (
            f"; the differ said {current.differ_stance}" if current.differ_stance else ""
        )
    else:
        differ = f"the differ said {current.stance}, confidence {current.confidence:.2f}"
    click.echo(
        f"Article {piece.id}, {pid}: labelled {saved.stance} by {saved.labelled_by} ({differ})."
    )


def _unknown_position(given: str, known: list[str], settings: Settings) -> str:
    return f"unknown position {given!r}: {settings.positions_path} defines {', '.join(known)}"


def _list_labels(settings: Settings) -> None:
    from rich.table import Table

    from monitor.differ import load_positions
    from monitor.store import open_store

    known = {p.id for p in load_positions(settings.positions_path).positions}
    with open_store(settings.database_url()) as store:
        labels = store.corrections()
        ids = sorted({c.article_id for c in labels})
        stances = store.stances_for(ids)
        pieces = {i: store.article(i) for i in ids}
    if not labels:
        click.echo(f"No labels stored in {settings.database_url()}.")
        return
    count = f"{len(labels)} label{'' if len(labels) == 1 else 's'}"
    table = Table(title=f"{count} in {settings.database_url()}")
    for col in ("article", "position", "label", "differ said", "note", "by", "on", "piece"):
        # ids and labels are what an analyst types next: never break them
        table.add_column(col, overflow="fold", no_wrap=col in ("article", "position", "label"))
    for c in labels:
        shown = next(
            (s for s in stances.get(c.article_id, ()) if s.position_id == c.position_id), None
        )
        said = shown.differ_stance if shown is not None else None
        differ = f"{said} ({shown.differ_confidence:.2f})" if shown and said else "—"
        piece = pieces[c.article_id]
        table.add_row(
            str(c.article_id),
            c.position_id + ("" if c.position_id in known else " (not in positions.yaml)"),
            c.stance,
            differ,
            c.note or "",
            c.labelled_by,
            f"{c.labelled_at:%Y-%m-%d}",
            piece.title or piece.url,
        )
    _console(err=False).print(table)


def _export_labels(settings: Settings, target: str) -> None:
    from monitor.runtime import open_analysis_pipeline

    with open_analysis_pipeline(settings) as pipeline:
        lines = pipeline.labelled_pieces()
    body = "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)
    if target == "-":
        click.echo(body, nl=False)
        return
    path = Path(target)
    tmp = path.with_name(path.name + ".tmp")
    try:  # a reader never sees half a file
        tmp.write_text(body, encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        raise MonitorError(f"cannot write {path}: {exc.strerror or exc}") from exc
    pieces = f"{len(lines)} labelled piece{'' if len(lines) == 1 else 's'}"
    click.echo(f"{pieces} written to {path}.", err=True)


@main.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: a table; json: one object with a row per source (the same fields).",
)
@click.pass_context
@_fail_cleanly
def status(ctx: click.Context, fmt: str) -> None:
    """Show each source's crawl health: state, last visit, last good visit, pieces stored
    on the last visit, failures by reason over the recent visits (page:…, endpoint:…, and
    analysis:… for its pieces whose analysis failed), consecutive failing visits and the
    last error. A source whose every discovery endpoint failed on its last visit is
    flagged ALL ENDPOINTS FAILING (state "blind"); a configured source never visited
    shows as "never"."""
    from monitor import status as health
    from monitor.store import open_store
    from monitor.visits import RECENT_VISITS

    settings = _settings(ctx)
    configured = _configured_sources(settings)
    store = open_store(settings.database_url())
    try:
        rows = health.rows(store.crawl_status(), configured)
        total = store.count_articles()
    finally:
        store.close()
    where = _shown_url(settings.database_url())
    if fmt == "json":
        report = {
            "database": where,
            "articles": total,
            "recent_visits": RECENT_VISITS,
            "sources": [row.to_json() for row in rows],
        }
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"{total} articles stored in {where}")
    for header, _ in health.COLUMNS:
        table.add_column(header, overflow="fold", no_wrap=header == "source")
    for row in rows:
        style = "red" if row.state in ("blind", "failing") else None
        # plain text: a reason like "bug:ValueError" is no emoji code, an error's
        # "[...]" no markup
        table.add_row(*(Text(cell(row)) for _, cell in health.COLUMNS), style=style)
    console = _console(err=False)
    console.print(table)
    states = Counter(row.state for row in rows)
    console.print(", ".join(f"{n} {state}" for state, n in sorted(states.items())))


def _configured_sources(settings: Settings) -> dict[str, bool]:
    """Source id → enabled, from sources.yaml when it can be read (status still works on
    a store whose config file is elsewhere or broken: it then shows what the store knows)."""
    from monitor.config import load_sources

    if not settings.sources_path.exists():
        return {}
    try:
        config = load_sources(settings.sources_path)
    except ConfigError as exc:
        click.echo(f"Warning: {exc.message} (showing the sources the store knows)", err=True)
        return {}
    return {s.id: s.enabled for s in config.sources}


def _shown_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@main.command()
@click.option("--check", is_flag=True, help="Only validate sources.yaml and positions.yaml.")
@click.pass_context
@_fail_cleanly
def sources(ctx: click.Context, check: bool) -> None:
    """List the watched outlets and validate sources.yaml and positions.yaml."""
    from rich.table import Table

    from monitor.config import load_sources
    from monitor.differ import load_positions

    settings = _settings(ctx)
    config = load_sources(settings.sources_path)
    positions = load_positions(settings.positions_path)
    if not check:
        table = Table(title=f"{len(config.sources)} sources in {settings.sources_path}")
        for col in ("id", "name", "camp", "lang", "every", "endpoints", "notes"):
            # ids are what an analyst types next: never break them
            table.add_column(col, overflow="fold", no_wrap=col in ("id", "camp", "lang"))
        for s in config.sources:
            notes = []
            if not s.enabled:
                notes.append("disabled")
            if not s.full_text:
                notes.append("feed only")
            if s.global_discovery:
                notes.append("global discovery")
            if s.allow_private_addresses:
                notes.append("private addresses allowed")
            if s.read_mislabelled_html:
                notes.append("reads mislabelled HTML")
            table.add_row(
                s.id,
                s.name,
                s.camp,
                s.language,
                f"{config.interval(s)} min",
                ", ".join(e.kind for e in s.discovery),
                ", ".join(notes),
            )
        _console(err=False).print(table)
    click.echo(
        f"{settings.sources_path}: {len(config.sources)} sources OK; "
        f"{settings.positions_path}: {len(positions.positions)} positions OK "
        f"(version {positions.version})."
    )


if __name__ == "__main__":  # python -m monitor.cli
    main()
