"""Without selectors, the article's paragraphs are found and the page furniture is not."""

from __future__ import annotations

from monitor.extract import extract

STORY = [
    "Officials in Seoul said on Friday that a second group of North Korean soldiers had "
    "arrived in Russia's Far East, where they were being trained, equipped and assigned.",
    "The officials, who spoke on condition of anonymity, said the soldiers had been given "
    "Russian uniforms and forged identity papers, and that some were already near Kursk.",
    "Moscow has not confirmed the reports. A Kremlin spokesman said relations with "
    "Pyongyang were developing in line with the treaty and international law.",
    "Ukraine's defence intelligence agency said it expected the soldiers to be used in "
    "assaults on Ukrainian positions in the Kursk region within days.",
]
FURNITURE = [
    "We use cookies to improve your experience",
    "Most read today",
    "Storm hits coastal towns",
    "Share on Facebook",
    "Sign up for our morning briefing",
    "Comments (42)",
    "This comment has been removed",
    "All rights reserved",
]


def news_page(story: list[str], paragraph: str = "p") -> str:
    body = "".join(f"<{paragraph}>{s}</{paragraph}>" for s in story)
    return f"""<!DOCTYPE html><html lang="en"><head><title>Second group of soldiers</title></head>
<body>
<div class="cookie-notice"><p>{FURNITURE[0]}.</p><button>OK</button></div>
<header class="site-header"><nav><a href="/">Home</a><a href="/world">World</a></nav></header>
<div class="layout">
  <div class="main-column">
    <article class="story">
      <h1>Second group of North Korean soldiers arrives in Russia</h1>
      <div class="share-bar"><a href="#">{FURNITURE[3]}</a><a href="#">Share on X</a></div>
      <div class="story-body">{body}</div>
      <div class="newsletter-signup"><p>{FURNITURE[4]}.</p><form><input type="email"></form></div>
    </article>
    <section class="comments"><h3>{FURNITURE[5]}</h3>
      <div class="comment"><p>{FURNITURE[6]}.</p></div></section>
  </div>
  <div class="sidebar"><h3>{FURNITURE[1]}</h3><ul><li><a href="/x">{FURNITURE[2]}</a></li>
    <li><a href="/y">Markets close higher as oil falls</a></li></ul></div>
</div>
<footer><p>&copy; 2024 Example News. {FURNITURE[7]}.</p></footer>
</body></html>"""


def test_the_story_is_kept_and_the_furniture_left_out() -> None:
    text = extract(news_page(STORY), "https://news.example.com/a").text
    assert text.split("\n\n") == STORY
    assert not any(f in text for f in FURNITURE)


def test_paragraphs_marked_up_as_divs_are_paragraphs_too() -> None:
    text = extract(news_page(STORY, "div"), "https://news.example.com/a").text
    assert text.split("\n\n") == STORY


def test_paragraphs_separated_by_double_line_breaks_are_split() -> None:
    html = ("<html><body><div class='article_right'>" + "<br><br>".join(STORY)
            + "</div><div class='footer'>About us</div></body></html>")  # fmt: skip
    assert extract(html, "https://news.example.com/a").text.split("\n\n") == STORY


def test_headings_and_list_items_inside_the_story_stay_as_their_own_paragraphs() -> None:
    extra = [
        "<h2>What happens next</h2>",
        "<ul><li>Talks in Seoul, the first since June.</li>"
        "<li>A vote in parliament on arms supplies.</li></ul>",
    ]
    story = STORY[:2] + extra + STORY[2:]
    html = news_page(story).replace("<p><h2>", "<h2>").replace("</h2></p>", "</h2>")
    html = html.replace("<p><ul>", "<ul>").replace("</ul></p>", "</ul>")
    paragraphs = extract(html, "https://news.example.com/a").text.split("\n\n")
    assert paragraphs == [
        *STORY[:2],
        "What happens next",
        "Talks in Seoul, the first since June.",
        "A vote in parliament on arms supplies.",
        *STORY[2:],
    ]


def test_entities_are_decoded_once() -> None:
    story = [STORY[0], "Lawmakers wrote &quot;a &amp;lt;b&amp;gt; tag&quot; in the " + STORY[1]]
    paragraphs = extract(news_page(story + STORY[2:]), "https://news.example.com/a").text
    assert 'wrote "a &lt;b&gt; tag" in the' in paragraphs


def test_white_space_is_normalised_and_invisible_characters_dropped() -> None:
    spaces = " \u00a0\n\t \u2009\u202f\u3000\u205f "  # no-break, thin, ideographic…
    story = [s.replace(" ", spaces, 3) + "\u200b" for s in STORY]
    assert extract(news_page(story), "https://news.example.com/a").text.split("\n\n") == STORY


def test_a_chinese_page_without_selectors() -> None:
    story = [
        "据韩国国家情报院介绍，第二批朝鲜军人已经抵达俄罗斯远东地区，正在接受训练和装备。",
        "情报官员说，这些军人领到了俄军制服和身份证件，其中一部分已经被派往库尔斯克附近。",
        "俄罗斯方面没有证实上述报道。克里姆林宫发言人表示，俄朝关系按照条约和国际法发展。",
        "乌克兰国防情报部门表示，预计这些军人将在几天内被用于对库尔斯克州乌军阵地的进攻。",
    ]
    html = news_page(story).replace('lang="en"', 'lang="zh-CN"')
    article = extract(html.encode("utf-8"), "https://news.example.cn/a")
    assert article.text.split("\n\n") == story
    assert article.language == "zh"


def test_text_inside_pre_keeps_its_lines() -> None:
    story = [*STORY, "<pre>Article 4\n  Mutual assistance\n\nArticle 5\n  Consultations</pre>"]
    text = extract(news_page(story).replace("<p><pre>", "<pre>").replace("</pre></p>", "</pre>"),
                   "https://news.example.com/a").text  # fmt: skip
    assert text.endswith("Article 4\nMutual assistance\nArticle 5\nConsultations")


def test_a_byline_box_gives_the_linked_name_not_the_job_title() -> None:
    byline = ('<div class="author-intro"><p><a href="/kortunov">Andrey Kortunov</a></p>'
              "<p>Academic Director of the Council</p></div>")  # fmt: skip
    html = news_page(STORY).replace("<h1>", byline + "<h1>")
    article = extract(html, "https://news.example.com/a")
    assert article.authors == ("Andrey Kortunov",)
    assert "Academic Director" not in article.text
