"""Configuration: `sources.yaml` declared once as typed models, validated at load.

A mistake in a config file must cost the analyst one read of one paragraph, so every error
names the file, the line and the field (``ConfigError``); the CLI prints it and exits 2.
The same loader serves `positions.yaml`, whose model the differ owns.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from monitor.errors import ConfigError

M = TypeVar("M", bound=BaseModel)

DEFAULT_USER_AGENT = "monitor/0.1 (comparative media monitor; +https://example.org/monitor)"
#: seconds a page's work may take: ordinary pages take milliseconds, the most hostile ones
#: the size and node budgets let through about a second
PAGE_TIMEOUT_SECONDS = 15.0


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ── sources.yaml ────────────────────────────────────────────────────────────────────

EndpointKind = Literal["rss", "atom", "sitemap", "listing", "gdelt", "google_news"]


class Selectors(_Model):
    """CSS selectors for one outlet's article pages; anything unset falls back to
    JSON-LD / OpenGraph metadata and the generic body extractor."""

    title: str | None = Field(None, description="CSS selector of the headline")
    body: str | None = Field(None, description="CSS selector(s) of the article body")
    published: str | None = Field(None, description="CSS selector of the publication date")
    authors: str | None = Field(None, description="CSS selector of the byline / author names")
    remove: tuple[str, ...] = Field((), description="CSS selectors removed before extraction")


class Endpoint(_Model):
    """One place where an outlet's new pieces can be discovered."""

    kind: EndpointKind = Field(description="rss, atom, sitemap, listing, gdelt or google_news")
    url: str = Field(description="the endpoint URL (http or https)")
    link_selector: str | None = Field(
        None, description="listing pages: CSS selector of the article links (default: all a[href])"
    )
    link_pattern: str | None = Field(
        None, description="regular expression an article URL (or path) must match to be kept"
    )
    query: str | None = Field(None, description="gdelt / google_news: the search query")
    max_items: int = Field(100, ge=1, le=1000, description="most links taken per visit")
    host_delay_seconds: float | None = Field(
        None,
        ge=0,
        le=600,
        description="least seconds between requests to this endpoint's host, for services "
        "with a published rate limit (GDELT: one request per 5 s)",
    )

    @field_validator("url")
    @classmethod
    def _http_url(cls, v: str) -> str:
        parts = urlsplit(v)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"must be an absolute http(s) URL, got {v!r}")
        return v

    @field_validator("link_pattern")
    @classmethod
    def _regex(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                re.compile(v)
            except re.error as exc:
                raise ValueError(f"is not a valid regular expression ({exc})") from exc
        return v

    @model_validator(mode="after")
    def _query_for_search(self) -> Endpoint:
        if self.kind in ("gdelt", "google_news") and not self.query and "q=" not in self.url:
            raise ValueError(f"a {self.kind} endpoint needs a 'query' (or q= in its url)")
        return self


class Source(_Model):
    """One watched outlet (or one global discovery service)."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_]*$", description="stable id, lower_snake_case")
    name: str = Field(min_length=1, description="the outlet's name as the digest shows it")
    camp: Literal["ru", "cn", "west", "kr", "ua", "other"] = Field(
        description="ru, cn, west, kr, ua or other"
    )
    language: str = Field(pattern=r"^[a-z]{2}$", description="ISO 639-1 code of its pieces")
    homepage: str | None = Field(None, description="the outlet's home page")
    domains: tuple[str, ...] = Field(
        (),
        description="host names whose pieces belong to this outlet "
        "(default: the hosts of homepage and endpoints)",
    )
    discovery: tuple[Endpoint, ...] = Field(min_length=1, description="discovery endpoints")
    selectors: Selectors | None = Field(None, description="article-page CSS selectors")
    interval_minutes: int | None = Field(
        None, ge=5, description="minutes between crawls (default: defaults.interval_minutes)"
    )
    enabled: bool = Field(True, description="false: keep the entry but never crawl it")
    prefilter: bool = Field(
        True,
        description="true: fetch only links whose feed title/summary mention the story "
        "(polite on broad feeds); false: fetch every new link (topic feeds)",
    )
    full_text: bool = Field(
        True,
        description="false: never fetch article pages (paywalls, restrictive terms); "
        "store the feed title and summary only",
    )
    global_discovery: bool = Field(
        False,
        description="true for search services (GDELT, Google News): each link is credited "
        "to the outlet whose domain it is on, else to this entry (camp 'other')",
    )
    read_mislabelled_html: bool = Field(
        False,
        description="true: an article page served under a non-HTML Content-Type (text/plain, "
        "application/pdf…) is read when its bytes are clearly an HTML document",
    )
    allow_private_addresses: bool = Field(
        False,
        description="true: the origins (host and port) of this source's homepage and "
        "endpoints may resolve to private or loopback addresses (an intranet mirror, a test "
        "site); links found there to other hosts are still refused",
    )

    def private_urls(self) -> tuple[str, ...]:
        """The URLs whose origins this source trusts with private addresses."""
        if not self.allow_private_addresses:
            return ()
        urls = ([self.homepage] if self.homepage else []) + [e.url for e in self.discovery]
        return tuple(dict.fromkeys(urls))

    def hosts(self) -> tuple[str, ...]:
        """Host names credited to this outlet (without a leading 'www.')."""
        if self.domains:
            return tuple(_bare_host(d) for d in self.domains)
        if self.global_discovery:
            return ()
        urls = [self.homepage] if self.homepage else []
        urls += [e.url for e in self.discovery if e.kind not in ("gdelt", "google_news")]
        seen: dict[str, None] = {}
        for u in urls:
            seen[_bare_host(urlsplit(u).hostname or "")] = None
        return tuple(h for h in seen if h)


def _bare_host(host: str) -> str:
    host = host.lower().strip().rstrip(".")
    return host[4:] if host.startswith("www.") else host


class Defaults(_Model):
    """Crawl settings every source inherits."""

    user_agent: str = Field(DEFAULT_USER_AGENT, description="User-Agent sent with every request")
    interval_minutes: int = Field(120, ge=5, description="minutes between crawls of a source")
    jitter_seconds: int = Field(300, ge=0, description="random delay added to each crawl start")
    per_host_delay_seconds: float = Field(
        2.0, ge=0, description="least time between two requests to the same host"
    )
    per_host_concurrency: int = Field(1, ge=1, le=8, description="requests in flight per host")
    concurrency: int = Field(8, ge=1, le=64, description="requests in flight in all")
    timeout_seconds: float = Field(30.0, gt=0, description="connect/read timeout per request")
    max_body_bytes: int = Field(
        8_000_000, ge=10_000, description="larger responses are cut off and skipped"
    )
    max_redirects: int = Field(5, ge=0, le=20, description="redirects followed per request")
    max_retries: int = Field(3, ge=0, le=10, description="retries on 408/429/5xx and timeouts")
    respect_robots: bool = Field(True, description="obey robots.txt (keep it true)")
    page_timeout_seconds: float = Field(
        PAGE_TIMEOUT_SECONDS,
        gt=0,
        le=600,
        description="seconds the work on one page (extraction, relevance) may take in a "
        "worker process; past it the worker is killed and replaced and the page fails with "
        "page_timeout (settled, never asked for again)",
    )


class Topic(_Model):
    """What the story is: the relevance filter's keywords per language."""

    keywords: dict[str, tuple[str, ...]] = Field(
        description="per language code, phrases that mark a piece as on-topic"
    )
    context: dict[str, tuple[str, ...]] = Field(
        default_factory=dict,
        description="per language code, phrases of the Russian side of the story "
        "(Russia, Moscow, Kursk…); a piece needs one of each list",
    )
    min_matches: int = Field(2, ge=1, description="keyword occurrences a relevant piece needs")
    subtopics: dict[str, dict[str, tuple[str, ...]]] = Field(
        default_factory=dict,
        description="ignored: accepted so that older files still load (a piece's subtopics "
        "are the differ's framing, from story.subtopics in positions.yaml)",
    )

    @field_validator("keywords")
    @classmethod
    def _not_empty(cls, v: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        if not v or not any(v.values()):
            raise ValueError("needs at least one language with at least one keyword")
        return v


class EmailSettings(_Model):
    """Where the daemon e-mails each week's digest (once per week). The SMTP login comes
    from environment variables, never from this file."""

    smtp_host: str = Field(min_length=1, description="SMTP server host name")
    smtp_port: int | None = Field(
        None, ge=1, le=65535, description="SMTP port (default: 587 for starttls, 465 for ssl, 25)"
    )
    security: Literal["starttls", "ssl", "none"] = Field(
        "starttls",
        description="starttls (upgrade the connection), ssl (TLS from the start) or none "
        "(a relay on this machine only; no login is sent without TLS)",
    )
    sender: str = Field(description="From: address, e.g. Monitor <monitor@example.org>")
    recipients: tuple[str, ...] = Field(min_length=1, description="To: addresses")
    username_env: str = Field(
        "MONITOR_SMTP_USER", description="environment variable holding the SMTP user name"
    )
    password_env: str = Field(
        "MONITOR_SMTP_PASSWORD", description="environment variable holding the SMTP password"
    )
    ca_file: str | None = Field(
        None, description="PEM file of certificates to trust besides the system's"
    )
    timeout_seconds: float = Field(30.0, gt=0, description="connect / reply timeout")

    @field_validator("sender", "recipients")
    @classmethod
    def _addresses(cls, v: str | tuple[str, ...]) -> str | tuple[str, ...]:
        from email.utils import parseaddr

        for address in (v,) if isinstance(v, str) else v:
            _, bare = parseaddr(address)
            local, _, domain = bare.rpartition("@")
            if not local or "." not in domain or any(ch in address for ch in "\r\n"):
                raise ValueError(f"{address!r} is not an e-mail address")
        return v

    @property
    def port(self) -> int:
        if self.smtp_port is not None:
            return self.smtp_port
        return {"starttls": 587, "ssl": 465}.get(self.security, 25)


class DigestSchedule(_Model):
    """When the daemon writes the weekly digest."""

    day_of_week: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = Field(
        "mon", description="weekday the digest of the previous week is written"
    )
    hour: int = Field(6, ge=0, le=23, description="hour (UTC) it is written")
    minute: int = Field(0, ge=0, le=59, description="minute it is written")
    public_url: str | None = Field(
        None,
        description="URL where the digests directory is served, for the links of the Atom "
        "feed digests.atom (default: the directory's file:// URL)",
    )

    email: EmailSettings | None = Field(
        None, description="e-mail each week's digest (see EmailSettings); unset: no e-mail"
    )

    @field_validator("public_url")
    @classmethod
    def _web_address(cls, v: str | None) -> str | None:
        """An http(s) address with a host: it becomes links in every feed reader, so a
        ``javascript:`` or ``file:`` value is refused here, before any file is written."""
        if v is None:
            return v
        parts = urlsplit(v.strip())
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise ValueError(
                f"must be an http:// or https:// address with a host name, got {v!r}"
            )
        if any(ch.isspace() or ord(ch) < 32 for ch in v.strip()):
            raise ValueError(f"must not contain spaces or control characters, got {v!r}")
        return v.strip()


class Retention(_Model):
    """How long raw captures are kept; what was read from them is kept for good."""

    warc_days: int | None = Field(
        None,
        ge=1,
        description="delete WARC capture files older than this many days, and their capture "
        "rows (articles, stances and corrections stay); unset keeps every capture",
    )
    hour: int = Field(3, ge=0, le=23, description="hour (UTC) of the daily clean-up")


class SourcesFile(_Model):
    """The whole `sources.yaml`."""

    version: int = Field(1, description="format version of this file")
    defaults: Defaults = Field(default_factory=Defaults)  # type: ignore[arg-type]
    topic: Topic
    digest: DigestSchedule = Field(default_factory=DigestSchedule)  # type: ignore[arg-type]
    retention: Retention = Field(default_factory=Retention)  # type: ignore[arg-type]
    sources: tuple[Source, ...] = Field(min_length=1)

    @field_validator("sources")
    @classmethod
    def _unique_ids(cls, v: tuple[Source, ...]) -> tuple[Source, ...]:
        seen: set[str] = set()
        for s in v:
            if s.id in seen:
                raise ValueError(f"source id '{s.id}' appears twice; ids must be unique")
            seen.add(s.id)
        return v

    def source(self, source_id: str) -> Source:
        for s in self.sources:
            if s.id == source_id:
                return s
        known = ", ".join(s.id for s in self.sources)
        raise ConfigError(f"no source with id '{source_id}' (known: {known})", field="sources")

    def source_for_url(self, url: str) -> Source | None:
        """The watched outlet a URL belongs to, by host; when one domain holds several
        editions (RIAC: English under /en/, Russian at /), the longest homepage path that
        prefixes the URL's path wins. None when no outlet claims the host."""
        parts = urlsplit(url)
        host = _bare_host(parts.hostname or "")
        candidates = [
            s
            for s in self.sources
            if not s.global_discovery
            and any(host == h or host.endswith("." + h) for h in s.hosts())
        ]
        if not candidates:
            return None
        path = parts.path or "/"

        def depth(s: Source) -> int:
            home = (urlsplit(s.homepage).path if s.homepage else "/") or "/"
            return len(home) if path.startswith(home) else -1

        return max(candidates, key=depth)

    def private_urls(self) -> tuple[str, ...]:
        """Every URL whose origin a source trusts with private addresses."""
        return tuple(u for s in self.sources for u in s.private_urls())

    def interval(self, source: Source) -> int:
        return source.interval_minutes or self.defaults.interval_minutes


def load_sources(path: str | Path) -> SourcesFile:
    return load_yaml_model(path, SourcesFile)


# ── the loader: YAML → model, errors with file, line and field ─────────────────────


def load_yaml_model(
    path: str | Path, model: type[M], *, context: dict[str, Any] | None = None
) -> M:
    """Read, parse and validate one YAML file; any mistake becomes one ``ConfigError``.

    ``context`` is handed to the model's validators (e.g. the file's directory, for
    paths written relative to it)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError("the file does not exist", path=str(path)) from None
    except OSError as exc:
        raise ConfigError(f"cannot be read ({exc.strerror})", path=str(path)) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(
            "is not valid UTF-8 text; save the file as UTF-8", path=str(path), line=line
        ) from None
    return parse_yaml_model(text, model, str(path), context=context)


# libyaml's parser when PyYAML was built with it: positions.yaml is parsed on every
# command, and the pure-Python parser takes seconds over it.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parse_yaml(text: str) -> tuple[yaml.Node | None, Any]:
    """The node tree (for line numbers in errors) and the data, from one parse."""
    loader = _YAML_LOADER(text)
    try:
        root = loader.get_single_node()
        return root, (loader.construct_document(root) if root is not None else None)
    finally:
        loader.dispose()


def parse_yaml_model(
    text: str, model: type[M], path: str, *, context: dict[str, Any] | None = None
) -> M:
    try:
        root, data = _parse_yaml(text)
    except yaml.MarkedYAMLError as exc:
        line = _yaml_error_line(exc, text)
        problem = exc.problem or exc.context or "malformed YAML"
        if exc.context and exc.problem and line == _mark_line(exc.context_mark):
            problem = f"{exc.context} that starts here, {exc.problem}"  # never closed
        raise ConfigError(
            f"is not valid YAML: {problem}. Check indentation, colons and quotes near this line.",
            path=path,
            line=line,
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"is not valid YAML: {exc}", path=path) from None
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        raise ConfigError(
            f"must be a mapping of settings at the top level, but it is {kind}", path=path, line=1
        )
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        raise _explain(exc, root, data, path) from None


def _yaml_error_line(exc: yaml.MarkedYAMLError, text: str) -> int | None:
    """The line to look at: where the construct began when the parser only noticed the
    problem at the end of the file (an unterminated quote or bracket runs on to the end)."""
    problem, context = exc.problem_mark, exc.context_mark
    at_end = problem is not None and problem.index >= len(text.rstrip())
    mark = context if context is not None and (problem is None or at_end) else problem
    return _mark_line(mark)


def _mark_line(mark: yaml.Mark | None) -> int | None:
    return mark.line + 1 if mark is not None else None


def _explain(exc: ValidationError, root: yaml.Node | None, data: Any, path: str) -> ConfigError:
    errors = _relevant(exc.errors(include_url=False))
    first = errors[0]
    loc = tuple(first["loc"])
    line = _line_of(root, loc)
    field = _dotted(loc)
    owner = _owner(data, loc)
    message = _message(first)
    if owner:
        message = f"(in {owner}) {message}"
    if len(errors) > 1:
        others = "; ".join(
            f"'{_dotted(tuple(e['loc']))}' {_message(e).rstrip('.')}" for e in errors[1:4]
        )
        more = f" and {len(errors) - 4} more" if len(errors) > 4 else ""
        message += f" Also: {others}{more}."
    return ConfigError(message, path=path, line=line, field=field or None)


def _relevant(errors: list[Any]) -> list[Any]:
    """The errors worth reading, the cause first.

    A misspelt key (``langauge``) makes pydantic report both the unknown key and the
    "missing" key it was meant to be, and a broken list entry can add an error on the
    list itself; only the unknown key is the mistake. So an unknown key comes first, with
    the setting it probably meant; the "missing" error of that setting is dropped, and so
    is an error on a container that holds another error.
    """
    unknown = [e for e in errors if e["type"] == "extra_forbidden"]
    meant: set[tuple[Any, ...]] = set()
    for err in unknown:
        loc = tuple(err["loc"])
        missing = [
            str(e["loc"][-1])
            for e in errors
            if e["type"] == "missing" and tuple(e["loc"][:-1]) == loc[:-1]
        ]
        close = difflib.get_close_matches(str(loc[-1]), missing, n=1, cutoff=0.6)
        if close:
            err["meant"] = close[0]
            meant.add((*loc[:-1], close[0]))
    locs = [tuple(e["loc"]) for e in errors]
    kept = [
        e
        for e in errors
        if tuple(e["loc"]) not in meant
        and not any(len(o) > len(e["loc"]) and o[: len(e["loc"])] == tuple(e["loc"]) for o in locs)
    ]
    kept.sort(key=lambda e: e["type"] != "extra_forbidden")
    return kept or errors


def _message(err: Any) -> str:
    kind = err["type"]
    msg = str(err["msg"])
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if kind == "missing":
        return "is required but missing."
    if kind == "extra_forbidden":
        if err.get("meant"):
            return f"is not a known setting; did you mean '{err['meant']}'?"
        return "is not a known setting (check its spelling and indentation)."
    got = err.get("input")
    if kind not in ("missing",) and not isinstance(got, dict | list) and got is not None:
        return f"{msg} (got {got!r})."
    return msg.rstrip(".") + "."


def _dotted(loc: Sequence[Any]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _owner(data: Any, loc: Sequence[Any]) -> str | None:
    """Name the list entry an error sits in (e.g. "source 'tass_en'"), when it has an id."""
    node = data
    label = None
    for i, part in enumerate(loc):
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(part, int) and isinstance(node, dict) and "id" in node and i < len(loc) - 1:
            parent = str(loc[i - 1]) if i else "entry"
            label = f"{parent.rstrip('s')} '{node['id']}'"
    return label


def _line_of(root: yaml.Node | None, loc: Sequence[Any]) -> int | None:
    """The line of the deepest node on ``loc``; a missing key gets its parent's line."""
    node = root
    best = root.start_mark.line + 1 if root is not None else None
    for part in loc:
        child = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == str(part):
                    child = value
                    best = key.start_mark.line + 1
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if 0 <= part < len(node.value):
                child = node.value[part]
                best = child.start_mark.line + 1
        if child is None:
            break
        node = child
        if not isinstance(node, yaml.MappingNode | yaml.SequenceNode):
            best = node.start_mark.line + 1
    return best
