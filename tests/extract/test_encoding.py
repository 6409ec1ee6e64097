"""A page in the wrong encoding must still read as its language, never as mojibake."""

from __future__ import annotations

import pytest

from monitor.charset import decode_html, decode_xml

RUSSIAN = "Россия и КНДР подписали договор о всеобъемлющем стратегическом партнёрстве."
CHINESE = "俄罗斯和朝鲜签署了全面战略伙伴关系条约，双方表示将在多个领域加强合作。"
KOREAN = "북한과 러시아는 포괄적 전략 동반자 조약을 체결했다고 밝혔다."
FRENCH = "Le traité prévoit une assistance mutuelle, déclare le ministère à Séoul."


def page(text: str, meta: str = "") -> str:
    return f"<html><head>{meta}<title>t</title></head><body><p>{text}</p></body></html>"


@pytest.mark.parametrize("http_charset", [None, "utf-8", "iso-8859-1", "windows-1252"])
@pytest.mark.parametrize("meta", ["", '<meta charset="utf-8">', '<meta charset="koi8-u">'])
def test_russian_in_windows_1251_reads_as_russian_whatever_the_page_claims(
    http_charset: str | None, meta: str
) -> None:
    data = page(RUSSIAN, meta).encode("cp1251")
    assert RUSSIAN in decode_html(data, http_charset).text


@pytest.mark.parametrize("http_charset", [None, "utf-8", "windows-1251"])
def test_chinese_in_gbk_reads_as_chinese(http_charset: str | None) -> None:
    assert CHINESE in decode_html(page(CHINESE).encode("gbk"), http_charset).text


def test_korean_in_euc_kr_is_not_taken_for_chinese() -> None:
    assert KOREAN in decode_html(page(KOREAN).encode("euc-kr")).text


def test_french_in_windows_1252_is_not_taken_for_cyrillic() -> None:
    assert FRENCH in decode_html(page(FRENCH).encode("cp1252")).text


def test_utf8_bytes_win_over_a_legacy_declaration() -> None:
    data = page(
        RUSSIAN, '<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
    )
    decoded = decode_html(data.encode("utf-8"), "windows-1251")
    assert RUSSIAN in decoded.text and decoded.encoding == "utf-8"


def test_a_true_legacy_declaration_is_honoured() -> None:
    decoded = decode_html(page(RUSSIAN, '<meta charset="windows-1251">').encode("cp1251"))
    assert decoded.source == "meta" and RUSSIAN in decoded.text


def test_a_byte_order_mark_wins() -> None:
    decoded = decode_html(page(CHINESE).encode("utf-16"), "iso-8859-1")
    assert decoded.source == "bom" and CHINESE in decoded.text


@pytest.mark.parametrize("label", ["base64", "rot13", "x-no-such-charset", "", "utf-7\x00"])
def test_a_declaration_naming_no_text_codec_is_ignored(label: str) -> None:
    assert RUSSIAN in decode_html(page(RUSSIAN).encode("utf-8"), label).text


def test_undecodable_bytes_still_give_text() -> None:
    decoded = decode_html(b"<p>caf\xe9 \xff\xfe\x81 ok</p>")
    assert "ok" in decoded.text


# ── one stray byte must not cost the article ───────────────────────────────────────


def with_stray_byte(text: str, codec: str = "utf-8", byte: bytes = b"\xff") -> bytes:
    """The page in ``codec`` with one invalid byte in the middle of the paragraph."""
    data = page(text * 3).encode(codec)
    middle = data.index("</p>".encode(codec)) // 2
    return data[:middle] + byte + data[middle:]


@pytest.mark.parametrize("http_charset", [None, "utf-8", "windows-1251", "iso-8859-1"])
@pytest.mark.parametrize("meta", ["", '<meta charset="utf-8">'])
@pytest.mark.parametrize("text", [RUSSIAN, CHINESE, KOREAN])
def test_a_utf8_page_with_one_bad_byte_still_reads_in_its_language(
    text: str, http_charset: str | None, meta: str
) -> None:
    data = with_stray_byte(text).replace(b"<head>", f"<head>{meta}".encode(), 1)

    decoded = decode_html(data, http_charset)

    assert decoded.encoding == "utf-8"
    assert 1 <= decoded.replaced <= 3  # the byte, and the character it may have split
    assert decoded.text.count(text) >= 2  # the sentences either side of the bad byte
    assert "\ufffd" in decoded.text


def test_a_page_that_spells_out_u_fffd_is_not_counted_as_repaired() -> None:
    decoded = decode_html(page(RUSSIAN + " \ufffd").encode("utf-8"))
    assert decoded.replaced == 0 and RUSSIAN in decoded.text


def test_a_windows_1251_page_with_an_undefined_byte_reads_as_russian() -> None:
    """0x98 has no character in windows-1251; one of them must not discard the codec."""
    data = with_stray_byte(RUSSIAN, "cp1251", b"\x98")
    for declared in (None, "windows-1251"):
        decoded = decode_html(data, declared)
        assert decoded.encoding == "cp1251" and RUSSIAN in decoded.text


def test_many_bad_bytes_are_not_mostly_utf8_and_fall_to_detection() -> None:
    """Russian in windows-1251 is nearly all invalid UTF-8: that is a codec, not damage."""
    decoded = decode_html(page(RUSSIAN).encode("cp1251"), "utf-8")
    assert decoded.encoding == "cp1251" and decoded.replaced == 0


def test_feeds_and_pages_share_the_decoder() -> None:
    """A feed declared windows-1251 over UTF-8 bytes with a stray byte reads like the page."""
    body = with_stray_byte(RUSSIAN)
    xml = b'<?xml version="1.0" encoding="windows-1251"?><rss><p>' + body + b"</p></rss>"
    assert decode_xml(xml, None).text.count(RUSSIAN) >= 2
    assert decode_xml(xml, None).replaced == decode_html(body, "windows-1251").replaced > 0
