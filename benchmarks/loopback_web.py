"""A synthetic news web on loopback for the crawl and memory benchmarks.

Each outlet is its own host, on its own 127.0.0.x address (so the fetcher's per-host
politeness sees distinct hosts), serving ``/robots.txt``, an RSS feed ``/feed.xml`` and
article pages ``/world/<n>-<slug>.html`` laid out like a news site's (navigation, byline,
paragraphs, related links, footer). Every answer waits a latency drawn per request from a
seeded RNG, as a distant server would. The pages are generated from sentence pools written
for this benchmark (English and Russian, on and off the story), so runs are reproducible.

The server runs in its own process (an asyncio server per host), so its work does not
share the crawler's interpreter; it reports the time of the first request it saw and the
requests per host, which is what the politeness lower bound is computed from.
"""

from __future__ import annotations

import asyncio
import hashlib
import multiprocessing as mp
import random
import socket
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from typing import Any

# ruff: noqa: E501 (the sentence pools read better one sentence a line)
EN_ON = [
    "North Korean soldiers were seen moving toward the Kursk region, according to Ukrainian military intelligence.",
    "The Kremlin declined to confirm that troops from the DPRK had arrived in Russia.",
    "Pyongyang has shipped millions of artillery shells to Moscow since the summer of 2023, officials in Seoul said.",
    "The comprehensive strategic partnership treaty obliges each side to help the other if it is attacked.",
    "Russian lawmakers ratified the pact with North Korea without a single vote against it.",
    "Analysts in Washington said the deployment marked a new stage in the war in Ukraine.",
    "Kim Jong Un praised the friendship between the two countries during a banquet in Pyongyang.",
    "South Korea's spy agency estimated that about eleven thousand North Korean troops were in Russia.",
    "Putin said the treaty was a purely defensive agreement aimed at no third country.",
    "Some observers doubt that the North Korean units would be of much use on the front line.",
    "The United States warned that North Korean troops fighting in Ukraine would be legitimate targets.",
    "Moscow and Pyongyang have also discussed cooperation in space technology and aviation.",
    "Russian officials called the reports of North Korean soldiers in Kursk a provocation staged by Kyiv.",
    "A group of North Korean officers visited a Russian training ground near Vladivostok last month.",
    "The sanctions monitoring panel at the United Nations ceased to exist after Russia vetoed its renewal.",
    "China said it was not aware of the situation when asked about North Korean troops in Russia.",
    "Trade between Russia and North Korea remains small, well under one hundred million dollars a year.",
    "Experts argue that Moscow gains shells and manpower while Pyongyang gains cash, food and know-how.",
    "Ukrainian drones reportedly struck positions where North Korean servicemen were stationed.",
    "Lavrov met his North Korean counterpart in Moscow and spoke of a growing alliance.",
    "The treaty entered into force in December after both sides exchanged ratification documents.",
    "NATO's secretary general said the presence of DPRK troops was a dangerous escalation.",
    "Satellite images showed ships loading containers at a North Korean port bound for Russia.",
    "Officials in Seoul said Russia might transfer missile technology to North Korea in return.",
    "The Russian defence ministry published no figures on foreign soldiers serving in its ranks.",
    "Shoigu travelled to Pyongyang twice in a year, a sign of how close the ties had become.",
    "Japan expressed grave concern about the military cooperation between Moscow and Pyongyang.",
    "Several North Korean soldiers were reported captured by Ukrainian forces in the Kursk region.",
]
EN_OFF = [
    "The city council approved a new budget for road repairs on Tuesday evening.",
    "Markets in Asia opened higher after a week of volatile trading.",
    "Heavy rain caused flooding in several coastal towns, the weather service said.",
    "The central bank kept interest rates unchanged for the third month in a row.",
    "A new exhibition of modern art opened at the national museum this weekend.",
    "Farmers reported a better harvest than expected despite the dry spring.",
    "The football club announced the signing of a young striker from abroad.",
    "Researchers published a study on the migration patterns of seabirds.",
    "Airlines added more winter flights as demand for holiday travel grew.",
    "The government promised to cut waiting times in public hospitals.",
]
RU_ON = [
    "Северокорейские военнослужащие, по данным украинской разведки, переброшены в Курскую область.",
    "В Кремле отказались подтвердить, что войска КНДР находятся на территории России.",
    "Пхеньян поставил Москве миллионы артиллерийских снарядов, утверждают в Сеуле.",
    "Договор о всеобъемлющем стратегическом партнёрстве предусматривает взаимную помощь при нападении.",
    "Государственная дума единогласно ратифицировала договор с Северной Кореей.",
    "Путин заявил, что договор носит оборонительный характер и не направлен против третьих стран.",
    "Ким Чен Ын назвал отношения с Россией союзническими и нерушимыми.",
    "По оценке южнокорейской разведки, в России находятся около одиннадцати тысяч солдат КНДР.",
    "Эксперты сомневаются, что северокорейские части смогут переломить ход боёв.",
    "Лавров провёл переговоры с министром иностранных дел КНДР в Москве.",
    "Товарооборот России и Северной Кореи остаётся скромным, отмечают экономисты.",
    "Российские официальные лица назвали сообщения о солдатах КНДР в Курской области провокацией.",
    "Шойгу дважды за год посетил Пхеньян, что говорит о сближении двух стран.",
    "Договор вступил в силу в декабре после обмена ратификационными грамотами.",
    "В Вашингтоне предупредили, что северокорейские военные станут законной целью.",
    "Спутниковые снимки показали погрузку контейнеров в северокорейском порту.",
    "Аналитики считают, что Москва получает снаряды, а Пхеньян — деньги и технологии.",
    "Украинские военные сообщили о пленении нескольких солдат КНДР в Курской области.",
    "Китай заявил, что не располагает информацией о присутствии военных КНДР в России.",
    "В Сеуле опасаются, что Россия передаст Северной Корее ракетные технологии.",
]
RU_OFF = [
    "Городские власти утвердили план ремонта дорог на следующий год.",
    "Биржевые индексы выросли по итогам торговой недели.",
    "Синоптики предупредили о сильном ветре в выходные.",
    "В музее открылась выставка современной живописи.",
    "Аграрии собрали урожай выше ожиданий несмотря на засуху.",
    "Футбольный клуб объявил о подписании контракта с молодым нападающим.",
]
EN_TITLES = [
    "North Korean troops reach the Kursk front",
    "Moscow and Pyongyang deepen military ties under new treaty",
    "Seoul says DPRK soldiers are fighting for Russia",
    "What the Russia–North Korea pact means for Asia",
    "Kremlin stays silent on reports of North Korean units",
    "Analysts weigh the cost of Pyongyang's help to Moscow",
]
RU_TITLES = [
    "Военные КНДР в Курской области: что известно",
    "Договор России и КНДР вступил в силу",
    "Москва и Пхеньян углубляют сотрудничество",
    "В Сеуле заявили о переброске северокорейских войск в Россию",
]


@dataclass(frozen=True)
class Outlet:
    """One synthetic outlet: its id, address, port and language."""

    id: str
    ip: str
    port: int
    language: str
    pages: int

    @property
    def base(self) -> str:
        return f"http://{self.ip}:{self.port}"


@dataclass
class WebPlan:
    """The whole web: outlets, latency range, and the newest publication time."""

    outlets: list[Outlet]
    latency: tuple[float, float] = (0.02, 0.2)
    seed: int = 8
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    # None: every article is there from the start. Otherwise article n of each outlet
    # appears ``release_every * n`` seconds after the web starts (a day, compressed)
    release_every: float | None = None


def plan_web(hosts: int, pages_per_host: int, *, first_ip: int = 2, seed: int = 8,
             latency: tuple[float, float] = (0.02, 0.2)) -> WebPlan:  # fmt: skip
    """``hosts`` outlets on 127.0.0.<first_ip>…, each with a free port on its address."""
    outlets = []
    for i in range(hosts):
        ip = f"127.0.0.{first_ip + i}"
        with socket.socket() as s:
            s.bind((ip, 0))
            port = s.getsockname()[1]
        outlets.append(Outlet(f"outlet_{i:02d}", ip, port, "ru" if i % 3 == 2 else "en",
                              pages_per_host))  # fmt: skip
    return WebPlan(outlets, latency=latency, seed=seed)


def sources_config(plan: WebPlan, topic: dict[str, Any], *, delay: float, concurrency: int,
                   interval_minutes: int = 120) -> dict[str, Any]:  # fmt: skip
    """A sources.yaml (as data) watching every outlet of ``plan`` through its RSS feed."""
    return {
        "version": 1,
        "defaults": {
            "user_agent": "monitor-benchmark/1.0",
            "interval_minutes": interval_minutes,
            "jitter_seconds": 0,
            "per_host_delay_seconds": delay,
            "per_host_concurrency": 1,
            "concurrency": concurrency,
            "max_retries": 1,
        },
        "topic": topic,
        "sources": [
            {
                "id": o.id,
                "name": f"Outlet {o.id[-2:]}",
                "camp": "ru" if o.language == "ru" else "west",
                "language": o.language,
                "homepage": f"{o.base}/",
                "allow_private_addresses": True,  # the outlets live on 127.0.0.x
                "discovery": [{"kind": "rss", "url": f"{o.base}/feed.xml", "max_items": o.pages}],
            }
            for o in plan.outlets
        ],
    }


# ── content ─────────────────────────────────────────────────────────────────────────


def _rng(plan: WebPlan, *key: object) -> random.Random:
    digest = hashlib.sha256(repr((plan.seed, *key)).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def article(plan: WebPlan, outlet: Outlet, n: int) -> tuple[str, str, str, datetime]:
    """(title, lead, paragraphs-as-HTML, published) of article ``n`` of ``outlet``."""
    rng = _rng(plan, outlet.id, n)
    on, off, titles = (RU_ON, RU_OFF, RU_TITLES) if outlet.language == "ru" else (
        EN_ON, EN_OFF, EN_TITLES)  # fmt: skip
    title = f"{rng.choice(titles)} ({n})"
    paragraphs = []
    for _ in range(rng.randint(8, 14)):
        sentences = [rng.choice(on) if rng.random() < 0.8 else rng.choice(off)
                     for _ in range(rng.randint(2, 4))]  # fmt: skip
        paragraphs.append(" ".join(sentences))
    published = plan.now - timedelta(hours=n * 3 + rng.randint(0, 2))
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return title, paragraphs[0][:200], body, published


def page_url(outlet: Outlet, n: int) -> str:
    return f"{outlet.base}/world/{n:04d}-story.html"


def article_html(plan: WebPlan, outlet: Outlet, n: int) -> bytes:
    title, lead, body, published = article(plan, outlet, n)
    related = "".join(
        f'<li><a href="/world/{k:04d}-story.html">Related story {k}</a></li>'
        for k in range(max(0, n - 3), n)
    )
    html = f"""<!doctype html>
<html lang="{outlet.language}"><head><meta charset="utf-8">
<title>{escape(title)} | Outlet {outlet.id[-2:]}</title>
<meta property="og:title" content="{escape(title)}">
<meta property="og:type" content="article">
<meta name="description" content="{escape(lead)}">
<meta property="article:published_time" content="{published.isoformat()}">
<link rel="canonical" href="{page_url(outlet, n)}">
<script>window.dataLayer = window.dataLayer || []; dataLayer.push({{"page": "article"}});</script>
<style>body{{font-family:serif}} .nav a{{margin:0 4px}}</style>
</head><body>
<header class="site-header"><div class="nav"><a href="/">Home</a><a href="/world/">World</a>
<a href="/politics/">Politics</a><a href="/business/">Business</a><a href="/sport/">Sport</a></div>
<form class="search"><input name="q" placeholder="Search"></form></header>
<main><article class="story">
<h1 class="headline">{escape(title)}</h1>
<div class="byline">By <span class="author">Staff Correspondent</span>,
<time datetime="{published.isoformat()}">{published:%d %B %Y %H:%M}</time></div>
<div class="story-body">
{body}
</div>
<div class="share">Share this story: <a href="#">Mail</a> <a href="#">Print</a></div>
</article>
<aside class="related"><h2>Related</h2><ul>{related}</ul></aside></main>
<footer><p>© Outlet {outlet.id[-2:]}. All rights reserved.</p>
<ul><li><a href="/about">About us</a></li><li><a href="/contact">Contact</a></li>
<li><a href="/privacy">Privacy</a></li></ul></footer>
</body></html>"""
    return html.encode("utf-8")


def feed_xml(plan: WebPlan, outlet: Outlet, released: int | None = None) -> bytes:
    items = []
    for n in reversed(range(outlet.pages if released is None else released)):
        title, lead, _, published = article(plan, outlet, n)
        items.append(
            f"<item><title>{escape(title)}</title><link>{page_url(outlet, n)}</link>"
            f"<guid>{page_url(outlet, n)}</guid><pubDate>{format_datetime(published)}</pubDate>"
            f"<description>{escape(lead)}</description></item>"
        )
    xml = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Outlet {outlet.id[-2:]}</title><link>{outlet.base}/</link>"
        f"<description>World news</description>{''.join(items)}</channel></rss>"
    )
    return xml.encode("utf-8")


# ── serving ─────────────────────────────────────────────────────────────────────────


def _released(plan: WebPlan, started: float) -> int | None:
    if plan.release_every is None:
        return None
    return int((time.time() - started) / plan.release_every) + 1


def _render(plan: WebPlan, outlet: Outlet, path: str,
            released: int | None = None) -> tuple[int, str, bytes]:  # fmt: skip
    if path == "/robots.txt":
        return 200, "text/plain", b"User-agent: *\nAllow: /\n"
    if path == "/feed.xml":
        shown = None if released is None else min(released, outlet.pages)
        return 200, "application/rss+xml; charset=utf-8", feed_xml(plan, outlet, shown)
    if path.startswith("/world/") and path.endswith("-story.html"):
        try:
            n = int(path[len("/world/"):].split("-")[0])
        except ValueError:
            n = -1
        if 0 <= n < outlet.pages:
            return 200, "text/html; charset=utf-8", article_html(plan, outlet, n)
    return 404, "text/html", b"<html><body>Not found</body></html>"


async def _serve(plan: WebPlan, conn: Any) -> None:
    hits: dict[str, int] = {o.id: 0 for o in plan.outlets}
    first: list[float] = []
    last: list[float] = [0.0]
    cache: dict[tuple[str, str, int | None], tuple[int, str, bytes]] = {}
    started = time.time()

    def handler(outlet: Outlet) -> Any:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                while True:
                    head = await reader.readuntil(b"\r\n\r\n")
                    line = head.split(b"\r\n", 1)[0].decode("latin-1")
                    path = line.split(" ")[1].split("?")[0]
                    if not first:
                        first.append(time.time())
                    hits[outlet.id] += 1
                    rng = _rng(plan, outlet.id, path, hits[outlet.id])
                    await asyncio.sleep(rng.uniform(*plan.latency))
                    released = _released(plan, started)
                    key = (outlet.id, path, released if path == "/feed.xml" else None)
                    if key not in cache:
                        cache[key] = _render(plan, outlet, path, released)
                    status, ctype, body = cache[key]
                    reason = "OK" if status == 200 else "Not Found"
                    writer.write(
                        f"HTTP/1.1 {status} {reason}\r\nContent-Type: {ctype}\r\n"
                        f"Content-Length: {len(body)}\r\n\r\n".encode("latin-1") + body
                    )
                    await writer.drain()
                    last[0] = time.time()
            except (asyncio.IncompleteReadError, ConnectionError, IndexError):
                pass
            finally:
                writer.close()

        return handle

    servers = [await asyncio.start_server(handler(o), o.ip, o.port) for o in plan.outlets]
    conn.send("ready")
    loop = asyncio.get_running_loop()
    while True:
        ask = await loop.run_in_executor(None, conn.recv)
        if ask == "stats":
            conn.send({"first": first[0] if first else None, "last": last[0], "hits": dict(hits)})
            hits = {o.id: 0 for o in plan.outlets}
            first.clear()
        elif ask == "stop":
            for s in servers:
                s.close()
            return


def _main(plan: WebPlan, conn: Any) -> None:
    asyncio.run(_serve(plan, conn))


class LoopbackWeb:
    """Start the web in a child process; ``stats()`` returns and resets its counters."""

    def __init__(self, plan: WebPlan) -> None:
        self.plan = plan
        self._conn, child = mp.Pipe()
        self._proc = mp.get_context("fork").Process(target=_main, args=(plan, child), daemon=True)

    def __enter__(self) -> LoopbackWeb:
        self._proc.start()
        if self._conn.recv() != "ready":
            raise RuntimeError("the loopback web did not start")
        return self

    def stats(self) -> dict[str, Any]:
        self._conn.send("stats")
        return dict(self._conn.recv())

    def __exit__(self, *exc: object) -> None:
        self._conn.send("stop")
        self._proc.join(5)
        if self._proc.is_alive():
            self._proc.kill()
