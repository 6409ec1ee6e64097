"""What page furniture leaves inside an article's own container is taken out by its shape:
ad labels, bylines and datelines, captions, "Read more" lines, lists of other stories,
sign-up prompts, rights notices and the headings left over them. The story stays whole."""

from __future__ import annotations

import pytest

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
URL = "https://news.example.com/world/troops"


def page(lead: str = "", middle: str = "", tail: str = "") -> str:
    """A story in generated class names (no boilerplate word to go by), furniture placed
    where sites put it: before the first paragraph, between two, after the last."""
    paragraphs = [f"<p>{s}</p>" for s in STORY]
    body = "".join(paragraphs[:2]) + middle + "".join(paragraphs[2:])
    return (
        "<html><head><title>Second group of soldiers</title></head><body>"
        "<div class='c-1x'><a href='/'>Home</a></div><main class='c-2y'><div class='c-3z'>"
        f"<h1>Second group of soldiers arrives</h1>{lead}<div class='c-4w'>{body}{tail}</div>"
        "</div></main></body></html>"
    )


@pytest.mark.parametrize(
    ("where", "furniture", "left_out"),
    [
        ("lead", "<div class='c-9'><p>By Jane Roe</p><p>Published 25 October 2024, 09:10</p></div>",
         ["Jane Roe", "Published"]),
        ("lead", "<div class='c-9'><p>Updated 3 hours ago</p></div>", ["Updated"]),
        ("middle", "<div class='c-ad'><p>Advertisement</p></div>", ["Advertisement"]),
        ("middle", "<p>Continue reading the main story</p>", ["Continue reading"]),
        ("middle", "<p><b>Read more:</b> <a href='/x'>What the treaty says about defence</a></p>",
         ["Read more", "What the treaty says"]),
        ("middle", "<figure><img src='/a.jpg'><div class='image-caption'>Soldiers at a range "
                   "near Vladivostok, in a handout picture.</div>"
                   "<span class='photo-credit'>Photo: Handout</span></figure>",
         ["Vladivostok", "Handout"]),
        ("middle", "<div class='c-nl'><p>Get our morning briefing in your inbox</p>"
                   "<form><input type='email'><input type='submit' value='Go'></form></div>",
         ["morning briefing"]),
        ("tail", "<h3>More on this story</h3><ul><li><a href='/1'>Kyiv reports first clashes"
                 "</a></li><li><a href='/2'>Pentagon confirms units moved west</a></li></ul>",
         ["More on this story", "first clashes", "Pentagon confirms"]),
        ("tail", "<p>Topics: <a href='/t/1'>North Korea</a>, <a href='/t/2'>Russia</a></p>",
         ["Topics"]),
        ("tail", "<p>© 2024 Example News. All rights reserved.</p>", ["All rights reserved"]),
        ("tail", "<p>More about:</p><ul class='c-t'><li><a href='/t/1'>North Korea</a></li>"
                 "<li><a href='/t/2'>Russia</a></li></ul>", ["More about"]),
        ("tail", "<p>[责任编辑：王伟]</p>", ["责任编辑"]),
        ("middle", "<p>Share this article: <a href='/s/fb'>Facebook</a> <a href='/s/x'>X</a> "
                   "<a href='/s/m'>Email</a></p>", ["Share this article", "Facebook"]),
        ("tail", "<p>Tags: <a href='/t/1'>Kursk</a> <a href='/t/2'>Pyongyang</a> "
                 "<a href='/t/3'>Moscow</a> <a href='/t/4'>Defence</a></p>", ["Tags", "Defence"]),
        ("middle", "<p>Related coverage:</p><ul><li><a href='/r/1'>Seoul summons the Russian "
                   "ambassador over the deployment</a></li><li><a href='/r/2'>What the treaty "
                   "says about mutual defence</a></li></ul>",
         ["Related coverage", "Seoul summons"]),
        ("tail", "<div class='author-bio'><h4>About the author</h4><p>Jane Roe is a "
                 "correspondent in Seoul who has covered the peninsula since 2015 and, before "
                 "that, the Russian Far East.</p></div>",
         ["About the author", "correspondent in Seoul"]),
    ],
)  # fmt: skip
def test_furniture_inside_the_article_is_left_out(
    where: str, furniture: str, left_out: list[str]
) -> None:
    text = extract(page(**{where: furniture}), URL).text
    assert text.split("\n\n") == STORY
    assert not any(junk in text for junk in left_out)


def test_a_subheading_over_its_own_paragraphs_stays() -> None:
    middle = "<h2>Questions in Kyiv</h2>"
    text = extract(page(middle=middle), URL).text
    assert text.split("\n\n") == [*STORY[:2], "Questions in Kyiv", *STORY[2:]]


def test_a_linked_sentence_of_the_story_stays() -> None:
    """A paragraph that is mostly a link but reads as a sentence is the story's own."""
    linked = "<p><a href='/report'>The full intelligence report was published on Monday.</a></p>"
    text = extract(page(middle=linked), URL).text
    assert "The full intelligence report was published on Monday." in text


def test_a_sentence_with_several_links_stays() -> None:
    """Three links in a line that reads as a sentence are the story's, not a row of links."""
    linked = ("<p>Officials in <a href='/s'>Seoul</a>, <a href='/w'>Washington</a> and "
              "<a href='/t'>Tokyo</a> condemned it.</p>")  # fmt: skip
    text = extract(page(middle=linked), URL).text
    assert "Officials in Seoul, Washington and Tokyo condemned it." in text


def test_a_line_ending_in_a_colon_over_the_story_s_own_list_stays() -> None:
    """Only the lead-in of a list that was taken out goes: a list of the story's stays
    with the line that introduces it."""
    middle = (
        "<p>The agency named the units it had traced:</p><ul>"
        "<li>the 11th Army Corps, trained for raids behind the front line, about 11,000 men;</li>"
        "<li>an artillery brigade with self-propelled guns and its own engineers;</li></ul>"
    )
    text = extract(page(middle=middle), URL).text
    assert "The agency named the units it had traced:" in text
    assert "an artillery brigade" in text
