"""``monitor extract PATH...``: many pages in one process, one JSON object per line, a typed
error object for each page that holds no article, progress and a summary on stderr."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from monitor.cli import main

REPO = Path(__file__).resolve().parents[2]
CONFIG = ["--sources", str(REPO / "sources.yaml"), "--positions", str(REPO / "positions.yaml")]
STORY = (
    "Officials in Seoul said North Korean units had reached the Kursk region, where Russian "
    "officers were training them, and that more were expected within weeks."
)
CONTRACT = ["url", "title", "authors", "published", "language", "text"]


def article(title: str) -> str:
    return (
        f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
        f"<p>{STORY}</p><p>{STORY}</p></article></body></html>"
    )


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, [*CONFIG, "extract", *args])
    return result.exit_code, result.stdout, result.stderr


def test_a_folder_of_pages_gives_one_line_per_page_in_name_order(tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    (folder / "older").mkdir(parents=True)
    for name in ("b.html", "a.htm", "older/c.html"):
        (folder / name).write_text(article(f"Units in Kursk {name}"), encoding="utf-8")
    (folder / "notes.txt").write_text("not a page", encoding="utf-8")
    code, out, err = run(str(folder), "--format", "jsonl")
    assert code == 0, err
    lines = [json.loads(line) for line in out.splitlines()]
    assert [Path(line["path"]).name for line in lines] == ["a.htm", "b.html", "c.html"]
    assert all(list(line) == ["path", *CONTRACT] for line in lines)
    assert lines[0]["title"] == "Units in Kursk a.htm" and STORY in lines[0]["text"]
    assert "3 files, 3 articles, 0 failed" in err


def test_a_page_without_an_article_is_a_typed_error_line_and_exit_2(tmp_path: Path) -> None:
    good = tmp_path / "good.html"
    good.write_text(article("Units in Kursk"), encoding="utf-8")
    binary = tmp_path / "scan.html"
    binary.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj")
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    code, out, err = run(str(binary), str(good), str(empty), "--format", "jsonl")
    assert code == 2
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line.get("error", {}).get("reason") for line in lines] == ["not_html", None, "empty"]
    assert lines[0]["path"] == str(binary) and lines[0]["url"].startswith("file://")
    assert "binary" in lines[0]["error"]["message"]
    assert lines[1]["title"] == "Units in Kursk"
    assert "3 files, 1 articles, 2 failed (" in err and "not_html 1" in err


def test_one_page_keeps_the_one_object_contract(tmp_path: Path) -> None:
    page = tmp_path / "one.html"
    page.write_text(article("Units in Kursk"), encoding="utf-8")
    code, out, _ = run(str(page), "--url", "https://news.example.com/a", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert list(data) == CONTRACT and data["url"] == "https://news.example.com/a"


def test_one_page_that_fails_prints_its_error_object_and_exits_2(tmp_path: Path) -> None:
    page = tmp_path / "logo.html"
    page.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    code, out, _ = run(str(page), "--format", "json")
    assert code == 2
    assert json.loads(out)["error"]["reason"] == "not_html"


def test_several_pages_as_json_are_one_array(tmp_path: Path) -> None:
    for name in ("a.html", "b.html"):
        (tmp_path / name).write_text(article(name), encoding="utf-8")
    code, out, _ = run(str(tmp_path / "a.html"), str(tmp_path / "b.html"), "--format", "json")
    assert code == 0
    assert [item["title"] for item in json.loads(out)] == ["a.html", "b.html"]


def test_url_with_several_pages_is_a_usage_error(tmp_path: Path) -> None:
    for name in ("a.html", "b.html"):
        (tmp_path / name).write_text(article(name), encoding="utf-8")
    code, _, err = run(str(tmp_path), "--url", "https://news.example.com/a")
    assert code == 2 and "--url" in err


def test_a_folder_without_pages_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "readme.txt").write_text("nothing here", encoding="utf-8")
    code, _, err = run(str(tmp_path), "--format", "jsonl")
    assert code == 2 and "no .html or .htm files" in err
