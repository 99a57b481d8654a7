"""Reading files and bytes into Documents: every format, every bad input."""

from __future__ import annotations

import hashlib
import io
import sys
import zlib
from datetime import date
from email.message import EmailMessage
from pathlib import Path

import pytest

from watchfloor.errors import InputError
from watchfloor.ingest.files import (
    DEFAULT_MAX_BYTES,
    document_from_bytes,
    read_document,
)
from watchfloor.ingest.folders import iter_paths

REPORT = (
    "A courier told investigators in Harbourton that a cell planned to ambush the mayor's "
    "convoy on the coast road.\n\n"
    "Police said the plot was foiled on Tuesday after two arrests near the ferry terminal.\n"
)

ARTICLE_HTML = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Convoy plot foiled | Harbourton Ledger</title>
  <meta name="author" content="Mira Okonjo">
  <meta property="og:site_name" content="Harbourton Ledger">
  <meta property="og:title" content="Convoy plot foiled in Harbourton">
  <meta property="article:published_time" content="2024-05-14T08:30:00Z">
</head>
<body>
  <nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/sport">Sport</a></nav>
  <article>
    <h1>Convoy plot foiled in Harbourton</h1>
    <p>A courier told investigators that a cell planned to ambush the mayor's convoy on the
    coast road, according to two officials who have read the case file.</p>
    <p>Police said the plot was foiled on Tuesday after two arrests near the ferry terminal,
    and that the suspects had watched the convoy's route for several weeks.</p>
    <p>The mayor's office declined to comment on the security arrangements, citing the
    ongoing investigation and the safety of the staff involved.</p>
  </article>
  <footer>Subscribe to our newsletter. Copyright Harbourton Ledger.</footer>
</body>
</html>
"""


def sha(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def minimal_pdf(pages: list[str], title: str | None = None) -> bytes:
    """A small valid PDF with one line of Helvetica text per page, written by hand."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    count = len(pages)
    # Objects: 1 catalog, 2 page tree, 3 font, then a page and its content stream per page,
    # then the optional info dictionary.
    page_ids = [4 + 2 * i for i in range(count)]
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids ["
        + b" ".join(f"{pid} 0 R".encode() for pid in page_ids)
        + f"] /Count {count} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for i, text in enumerate(pages):
        stream = f"BT /F1 12 Tf 72 720 Td ({escape(text)}) Tj ET".encode("latin-1")
        body = zlib.compress(stream)
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {page_ids[i] + 1} 0 R >>".encode()
        )
        objects.append(
            f"<< /Length {len(body)} /Filter /FlateDecode >>\nstream\n".encode()
            + body
            + b"\nendstream"
        )
    trailer_info = ""
    if title is not None:
        objects.append(f"<< /Title ({escape(title)}) >>".encode("latin-1"))
        trailer_info = f" /Info {len(objects)} 0 R"
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + obj + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R{trailer_info} >>\n"
        f"startxref\n{xref}\n%%EOF\n"
    ).encode()
    return bytes(out)


def mail(plain: str | None, html: str | None, charset: str = "utf-8") -> bytes:
    message = EmailMessage()
    message["Subject"] = "Field note: convoy route watched"
    message["From"] = "Desk Officer <desk@example.org>"
    message["To"] = "analysts@example.org"
    message["Date"] = "Wed, 15 May 2024 09:12:00 +0200"
    if plain is not None:
        message.set_content(plain, charset=charset)
        if html is not None:
            message.add_alternative(html, subtype="html")
    elif html is not None:
        message.set_content(html, subtype="html")
    return message.as_bytes()


# --- formats ---------------------------------------------------------------------------


def test_plain_text_is_kept_exactly_with_hash_of_raw_bytes(tmp_path: Path) -> None:
    path = tmp_path / "report.txt"
    path.write_bytes(REPORT.encode("utf-8"))
    doc = read_document(path)
    assert doc.text == REPORT
    assert doc.content_type == "text/plain"
    assert doc.encoding == "utf-8"
    assert doc.sha256 == sha(REPORT.encode("utf-8"))
    assert doc.raw == REPORT.encode("utf-8")
    assert doc.source == str(path)
    start = doc.text.index("ambush")
    assert doc.text[start : start + 6] == "ambush"


def test_crlf_and_cr_become_newlines_but_hash_keeps_raw_bytes(tmp_path: Path) -> None:
    raw = REPORT.replace("\n", "\r\n").encode("utf-8") + b"last line\rend\r"
    path = tmp_path / "windows.txt"
    path.write_bytes(raw)
    doc = read_document(path)
    assert "\r" not in doc.text
    assert doc.text == REPORT + "last line\nend\n"
    assert doc.sha256 == sha(raw)


def test_utf8_bom_is_dropped_from_text(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + "Zoë reported the threat.".encode())
    doc = read_document(path)
    assert doc.text == "Zoë reported the threat."
    assert doc.encoding == "utf-8-sig"


def test_markdown_is_kept_as_is_and_titled_by_its_heading(tmp_path: Path) -> None:
    text = "# Weekly threat note\n\n*Summary*: the [convoy](http://x.test) plot was foiled.\n"
    path = tmp_path / "note.md"
    path.write_text(text, encoding="utf-8")
    doc = read_document(path)
    assert doc.text == text
    assert doc.content_type == "text/markdown"
    assert doc.title == "Weekly threat note"


def test_html_article_main_text_and_metadata(tmp_path: Path) -> None:
    path = tmp_path / "article.html"
    path.write_text(ARTICLE_HTML, encoding="utf-8")
    doc = read_document(path)
    assert doc.content_type == "text/html"
    assert "planned to ambush the mayor's convoy" in doc.text
    assert "foiled on Tuesday" in doc.text
    # Navigation and footer boilerplate are not part of the main text.
    assert "Subscribe" not in doc.text
    assert "Sport" not in doc.text
    assert doc.title is not None and "Convoy plot foiled" in doc.title
    assert doc.author == "Mira Okonjo"
    assert doc.site == "Harbourton Ledger"
    assert doc.published == date(2024, 5, 14)
    assert doc.encoding == "utf-8"
    assert "\r" not in doc.text
    # Blocks are separated by blank lines, like paragraphs in a text file.
    assert "Convoy plot foiled in Harbourton\n\nA courier told" in doc.text


def test_html_url_is_kept_when_given() -> None:
    raw = ARTICLE_HTML.encode()
    doc = document_from_bytes(raw, "https://ledger.test/a/1", url="https://ledger.test/a/1")
    assert doc.url == "https://ledger.test/a/1"
    assert doc.content_type == "text/html"
    assert doc.sha256 == sha(raw)


def test_html_without_main_text_falls_back_to_a_text_dump(tmp_path: Path) -> None:
    path = tmp_path / "list.htm"
    path.write_text(
        "<html><body><ul><li>Harbourton</li><li>Eastmere</li></ul></body></html>",
        encoding="utf-8",
    )
    doc = read_document(path)
    assert "Harbourton" in doc.text
    assert "Eastmere" in doc.text
    assert "<li>" not in doc.text


def test_html_with_no_text_at_all_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "blank.html"
    path.write_text("<html><head><script>var a = 1;</script></head><body></body></html>")
    with pytest.raises(InputError, match="no readable text"):
        read_document(path)


def test_html_legacy_charset_from_meta_tag() -> None:
    html = (
        '<html><head><meta charset="windows-1252"><title>Préfet</title></head><body><article>'
        "<p>Le préfet a reçu une lettre menaçante à Genève, selon des sources bien informées "
        "de la préfecture, qui parlent d'une menace sérieuse.</p></article></body></html>"
    )
    doc = document_from_bytes(html.encode("cp1252"), "page.html")
    assert "Le préfet a reçu une lettre menaçante à Genève" in doc.text
    assert doc.encoding == "cp1252"


def test_http_content_type_charset_is_honoured() -> None:
    raw = "Grüße aus Köln: der Drohbrief kam am Montag.".encode("latin-1")
    doc = document_from_bytes(
        raw, "https://x.test/n", content_type="text/plain; charset=ISO-8859-1"
    )
    assert doc.text == "Grüße aus Köln: der Drohbrief kam am Montag."
    assert doc.content_type == "text/plain"


def test_pdf_text_per_page_and_title(tmp_path: Path) -> None:
    raw = minimal_pdf(
        ["The cell planned to ambush the convoy.", "Police foiled the plot (two arrests)."],
        title="Harbourton case summary",
    )
    path = tmp_path / "case.pdf"
    path.write_bytes(raw)
    doc = read_document(path)
    assert doc.content_type == "application/pdf"
    assert doc.text == (
        "The cell planned to ambush the convoy.\n\nPolice foiled the plot (two arrests)."
    )
    assert doc.title == "Harbourton case summary"
    assert doc.sha256 == sha(raw)
    assert doc.encoding is None


def test_pdf_without_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(minimal_pdf(["   "]))
    with pytest.raises(InputError, match="no extractable text"):
        read_document(path)


def test_damaged_pdf_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 9 0 R >> endobj\n%%EOF")
    with pytest.raises(InputError) as info:
        read_document(path)
    assert info.value.source == str(path)
    assert "PDF" in info.value.problem


def test_eml_prefers_plain_part_and_reads_headers(tmp_path: Path) -> None:
    plain = "The convoy route was watched for three weeks.\nTwo suspects were arrested.\n"
    html = "<html><body><p>HTML VERSION of the note, not the one to read.</p></body></html>"
    path = tmp_path / "note.eml"
    path.write_bytes(mail(plain, html))
    doc = read_document(path)
    assert doc.text == plain
    assert doc.title == "Field note: convoy route watched"
    assert doc.author == "Desk Officer <desk@example.org>"
    assert doc.published == date(2024, 5, 15)
    assert doc.content_type == "message/rfc822"


def test_eml_with_only_html_goes_through_the_html_path(tmp_path: Path) -> None:
    html = (
        "<html><body><article><p>The courier said the cell would strike the convoy on the "
        "coast road before the end of the month, according to the source.</p>"
        "<p>Officers were told to vary the route and the timing of every trip.</p>"
        "</article></body></html>"
    )
    path = tmp_path / "html-only.eml"
    path.write_bytes(mail(None, html))
    doc = read_document(path)
    assert "strike the convoy on the coast road" in doc.text
    assert "<p>" not in doc.text
    assert doc.title == "Field note: convoy route watched"
    assert doc.published == date(2024, 5, 15)
    assert doc.content_type == "message/rfc822"


def test_eml_part_in_legacy_charset(tmp_path: Path) -> None:
    plain = "Le préfet a reçu une lettre menaçante.\n"
    path = tmp_path / "latin.eml"
    path.write_bytes(mail(plain, None, charset="iso-8859-1"))
    doc = read_document(path)
    assert doc.text == plain


@pytest.mark.parametrize(
    ("raw", "content_type"),
    [
        (ARTICLE_HTML.encode(), "text/html"),
        (minimal_pdf(["Sniffed from its bytes."]), "application/pdf"),
        (mail("A note that has no file suffix.\n", None), "message/rfc822"),
        (REPORT.encode(), "text/plain"),
    ],
    ids=["html", "pdf", "eml", "text"],
)
def test_format_is_sniffed_without_a_suffix(tmp_path: Path, raw: bytes, content_type: str) -> None:
    path = tmp_path / "download"
    path.write_bytes(raw)
    assert read_document(path).content_type == content_type


def test_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = REPORT.encode()

    class FakeStdin:
        buffer = io.BytesIO(raw)

    monkeypatch.setattr(sys, "stdin", FakeStdin())
    doc = read_document("-")
    assert doc.text == REPORT
    assert doc.source == "<stdin>"


def test_stdin_over_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    class FakeStdin:
        buffer = io.BytesIO(b"x" * 200)

    monkeypatch.setattr(sys, "stdin", FakeStdin())
    with pytest.raises(InputError, match="over the size limit"):
        read_document("-", max_bytes=100)


# --- encodings -------------------------------------------------------------------------


def test_latin1_file_is_decoded_and_its_encoding_recorded(tmp_path: Path) -> None:
    text = "Le préfet a reçu une lettre menaçante à Genève.\nSécurité renforcée dès lundi.\n"
    path = tmp_path / "latin1.txt"
    path.write_bytes(text.encode("latin-1"))
    doc = read_document(path)
    assert doc.text == text
    assert doc.encoding == "cp1252"


def test_cp1252_punctuation(tmp_path: Path) -> None:
    text = "The envoy said “we are ready” — officials in Zürich confirmed it.\n"
    path = tmp_path / "cp1252.txt"
    path.write_bytes(text.encode("cp1252"))
    doc = read_document(path)
    assert doc.text == text


def test_cyrillic_legacy_encoding_is_detected(tmp_path: Path) -> None:
    text = "Посол получил угрозы, сообщили чиновники в столице. Охрана усилена с понедельника."
    path = tmp_path / "ru.txt"
    path.write_bytes(text.encode("cp1251"))
    doc = read_document(path)
    assert doc.text == text
    assert doc.encoding == "cp1251"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_bom(tmp_path: Path, codec: str) -> None:
    text = "Threat note: Zoë saw the convoy.\nSecond line.\n"
    raw = text.encode(codec)
    if codec != "utf-16":  # the explicit-endian codecs write no BOM; add the right one
        raw = ("\ufeff" + text).encode(codec)
    path = tmp_path / "wide.txt"
    path.write_bytes(raw)
    doc = read_document(path)
    assert doc.text == text
    assert doc.encoding == "utf-16"


def test_utf16_without_bom_is_refused_as_binary(tmp_path: Path) -> None:
    path = tmp_path / "nobom.txt"
    path.write_bytes("Threat note without a byte-order mark.".encode("utf-16-le"))
    with pytest.raises(InputError, match="binary"):
        read_document(path)


def test_undecodable_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "mojibake.txt"
    path.write_bytes(bytes(range(0x80, 0x100)) * 3)
    with pytest.raises(InputError, match="encoding cannot be detected") as info:
        read_document(path)
    assert "UTF-8" in info.value.problem


# --- bad input -------------------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.txt"
    with pytest.raises(InputError, match="no such file") as info:
        read_document(path)
    assert info.value.source == str(path)
    assert str(path) in str(info.value)


def test_directory_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a folder"):
        read_document(tmp_path)


def test_binary_file_with_nul_bytes(tmp_path: Path) -> None:
    path = tmp_path / "data.txt"
    path.write_bytes(b"header\x00\x01\x02\x03payload" * 10)
    with pytest.raises(InputError, match="binary file"):
        read_document(path)


def test_binary_file_is_named_by_its_magic_number(tmp_path: Path) -> None:
    path = tmp_path / "photo"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    with pytest.raises(InputError, match="PNG image"):
        read_document(path)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    with pytest.raises(InputError, match="is empty"):
        read_document(path)


def test_whitespace_only_file(tmp_path: Path) -> None:
    path = tmp_path / "blank.md"
    path.write_bytes(b" \n\t\r\n   \n")
    with pytest.raises(InputError, match="only whitespace"):
        read_document(path)


def test_oversize_file_names_limit_and_size(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"word " * 300)  # 1500 bytes
    with pytest.raises(InputError) as info:
        read_document(path, max_bytes=1000)
    assert "1500 bytes" in info.value.problem
    assert "1000 bytes" in info.value.problem
    assert "limit" in info.value.problem
    # The same file is fine under the default limit.
    assert read_document(path).text.startswith("word word")
    assert DEFAULT_MAX_BYTES >= 10 * 1024 * 1024


def test_oversize_bytes(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="over the size limit"):
        document_from_bytes(b"a" * 11, "blob", max_bytes=10)


# --- folders ---------------------------------------------------------------------------


def test_iter_paths_walks_folders_sorted_and_filters_suffixes(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "a").mkdir()
    (tmp_path / ".git").mkdir()
    for name in ["b/two.txt", "a/one.md", "a/z.pdf", "a/skip.png", "b/page.HTML", ".git/x.txt"]:
        (tmp_path / name).write_bytes(b"x")
    explicit = tmp_path / "notes.unknown"
    explicit.write_bytes(b"x")
    found = list(iter_paths([tmp_path, explicit, tmp_path / "a" / "one.md"]))
    assert found == [
        tmp_path / "a" / "one.md",
        tmp_path / "a" / "z.pdf",
        tmp_path / "b" / "page.HTML",
        tmp_path / "b" / "two.txt",
        explicit,
    ]
