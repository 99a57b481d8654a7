"""Files and byte strings become Documents: plain text, Markdown, HTML, PDF and e-mail.

Everything that can go wrong with an input (missing, a folder, binary, empty, too large,
undecodable) is raised as one `InputError` whose problem text says what to do about it.
`Document.text` is exactly the text extraction reads, so evidence offsets point into it.
"""

from __future__ import annotations

import codecs
import email
import email.policy
import hashlib
import io
import re
import sys
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Literal

from watchfloor.errors import InputError
from watchfloor.ingest.dating import date_document
from watchfloor.ingest.records import Document

DEFAULT_MAX_BYTES = 20 * 1024 * 1024

Kind = Literal["text", "markdown", "html", "pdf", "eml"]

SUFFIX_KINDS: dict[str, Kind] = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".pdf": "pdf",
    ".eml": "eml",
}
SUPPORTED_SUFFIXES = frozenset(SUFFIX_KINDS)

CONTENT_TYPES: dict[Kind, str] = {
    "text": "text/plain",
    "markdown": "text/markdown",
    "html": "text/html",
    "pdf": "application/pdf",
    "eml": "message/rfc822",
}

_MIME_KINDS: dict[str, Kind] = {
    "text/plain": "text",
    "text/markdown": "markdown",
    "text/x-markdown": "markdown",
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/pdf": "pdf",
    "application/x-pdf": "pdf",
    "message/rfc822": "eml",
}

_SUPPORTED_HINT = "watchfloor reads .txt, .md, .html, .pdf and .eml"

# Magic numbers of formats people are likely to hand us by mistake, so the error can say
# what the file is instead of only "binary".
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (also .docx, .xlsx, .odt); export it as PDF or text"),
    (b"\x1f\x8b", "a gzip archive; unpack it first"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office document; export it as PDF or text"),
    (b"{\\rtf", "an RTF document; export it as PDF or text"),
    (b"\x7fELF", "an executable"),
    (b"MZ", "a Windows executable"),
)

# Legacy encodings we accept from detection. Mac and DOS code pages are left out on purpose:
# charset-normalizer often ranks them first for short texts where they decode wrongly
# (Russian cp1251 read as mac_cyrillic), and real reports almost never use them.
_ACCEPTED_ENCODINGS = frozenset(
    {
        "cp1252", "latin_1", "iso8859_15",
        "cp1250", "iso8859_2",
        "cp1251", "koi8_r", "koi8_u", "iso8859_5",
        "cp1253", "iso8859_7",
        "cp1254", "iso8859_9",
        "cp1255", "iso8859_8",
        "cp1256", "iso8859_6",
        "cp1257", "iso8859_13",
        "shift_jis", "cp932", "euc_jp", "iso2022_jp",
        "gb2312", "gbk", "gb18030", "big5", "big5hkscs",
        "euc_kr", "cp949",
    }
)  # fmt: skip
# Detection counts as confident only below this share of "mess" (odd characters, broken
# words) and with some language coherence; both are charset-normalizer's own measures (0-1).
_MAX_CHAOS = 0.1
_MIN_COHERENCE = 0.1

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_HTML_SNIFF = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|title|meta|p|div|article|section|br|h[1-6])[\s/>]",
    re.IGNORECASE,
)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)
_HEADER_LINE = re.compile(rb"^([A-Za-z0-9][A-Za-z0-9-]*):[ \t]")
_MAIL_HEADERS = frozenset(
    {b"from", b"to", b"subject", b"date", b"message-id", b"received", b"mime-version",
     b"return-path", b"cc", b"reply-to", b"delivered-to"}
)  # fmt: skip
_MD_TITLE = re.compile(r"\A\s*#[ \t]+(.+?)[ \t#]*$", re.MULTILINE)


@dataclass(frozen=True)
class _Decoded:
    text: str
    encoding: str


def read_document(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read one file (or standard input for "-") into a Document.

    The format comes from the suffix; without a known suffix it is sniffed from the bytes.
    Raises InputError for anything that cannot become a readable text.
    """
    if str(path) == "-":
        raw = sys.stdin.buffer.read(max_bytes + 1)
        return document_from_bytes(raw, "<stdin>", max_bytes=max_bytes)
    path = Path(path)
    source = str(path)
    try:
        if path.is_dir():
            raise InputError(source, "is a folder, not a file; give the files in it instead")
        size = path.stat().st_size
        # Checked before reading so an enormous file is refused without loading it.
        if size > max_bytes:
            raise InputError(source, _too_large(size, max_bytes))
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(source, "no such file; check the path") from None
    except PermissionError:
        raise InputError(source, "permission denied; make the file readable") from None
    except IsADirectoryError:
        raise InputError(source, "is a folder, not a file; give the files in it instead") from None
    except OSError as exc:
        raise InputError(source, f"cannot be read ({exc.strerror or exc})") from None
    return document_from_bytes(raw, source, max_bytes=max_bytes)


def document_from_bytes(
    raw: bytes,
    source: str,
    content_type: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    url: str | None = None,
) -> Document:
    """Turn raw bytes into a Document dated by its own text where it can (ingest.dating).

    `content_type` may be a MIME type with parameters ("text/html; charset=iso-8859-1"), as an
    HTTP server sends it; without one the suffix of `source` decides, and failing that the
    bytes are sniffed. The charset parameter is used when the bytes are not UTF-8.
    """
    return date_document(_read_bytes(raw, source, content_type, max_bytes, url))


def _read_bytes(
    raw: bytes, source: str, content_type: str | None, max_bytes: int, url: str | None
) -> Document:
    """Turn raw bytes into a Document (see document_from_bytes)."""
    if len(raw) > max_bytes:
        raise InputError(source, _too_large(len(raw), max_bytes))
    if not raw:
        raise InputError(source, "is empty (0 bytes); nothing to read")
    mime, charset = _split_content_type(content_type)
    kind = _MIME_KINDS.get(mime) if mime else None
    if kind is None:
        kind = SUFFIX_KINDS.get(_suffix(source))
    if kind is None or raw.startswith(b"%PDF-"):
        kind = _sniff(raw)
    sha256 = hashlib.sha256(raw).hexdigest()
    if kind == "pdf":
        return _pdf_document(raw, source, sha256, url)
    if kind == "eml":
        return _eml_document(raw, source, sha256, url)
    _refuse_binary(raw, source)
    if kind == "html":
        declared = charset or _meta_charset(raw)
        decoded = _decode(raw, source, declared)
        return _html_document(decoded, raw, source, sha256, url)
    decoded = _decode(raw, source, charset)
    text = _normalize_newlines(decoded.text)
    _require_text(text, source)
    title = None
    if kind == "markdown":
        heading = _MD_TITLE.search(text)
        title = heading.group(1).strip() if heading else None
    return Document(
        text=text,
        source=source,
        content_type=CONTENT_TYPES[kind],
        sha256=sha256,
        title=title,
        url=url,
        raw=raw,
        encoding=decoded.encoding,
    )


# --- format detection -------------------------------------------------------------------


def _suffix(source: str) -> str:
    # A URL's query string is not part of its suffix.
    return Path(source.split("?", 1)[0].split("#", 1)[0]).suffix.lower()


def _split_content_type(content_type: str | None) -> tuple[str | None, str | None]:
    if not content_type:
        return None, None
    mime, _, params = content_type.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, value = param.strip().partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'")
    return mime.strip().lower() or None, charset


def _sniff(raw: bytes) -> Kind:
    head = raw[:4096]
    if b"%PDF-" in raw[:1024]:
        return "pdf"
    if _looks_like_mail(head):
        return "eml"
    for bom, codec in _BOMS:
        if head.startswith(bom):
            head = head.decode(codec, errors="ignore").encode("utf-8")
            break
    if _HTML_SNIFF.search(head):
        return "html"
    return "text"


def _looks_like_mail(head: bytes) -> bool:
    """True when the bytes open with an RFC 822 header block naming typical mail headers."""
    names: set[bytes] = set()
    for line in head.splitlines():
        if not line.strip():
            break
        if line[:1] in (b" ", b"\t"):
            continue  # a folded continuation of the previous header
        match = _HEADER_LINE.match(line)
        if match is None:
            return False
        names.add(match.group(1).lower())
    return len(names & _MAIL_HEADERS) >= 2


def _refuse_binary(raw: bytes, source: str) -> None:
    for magic, what in _MAGIC:
        if raw.startswith(magic):
            raise InputError(source, f"is a binary file ({what}); {_SUPPORTED_HINT}")
    if any(raw.startswith(bom) for bom, _ in _BOMS):
        return  # UTF-16/32 text is full of NUL bytes; the decoder checks it instead
    if b"\x00" in raw[:65536]:
        raise InputError(source, f"is a binary file (it contains NUL bytes); {_SUPPORTED_HINT}")


# --- decoding ---------------------------------------------------------------------------


def _decode(raw: bytes, source: str, declared: str | None = None) -> _Decoded:
    """Decode text bytes: BOM, then UTF-8, then a declared charset, then confident detection."""
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            try:
                return _checked(raw.decode(codec), codec, source)
            except UnicodeDecodeError:
                raise InputError(
                    source, f"starts with a {codec} byte-order mark but is not valid {codec}"
                ) from None
    try:
        return _checked(raw.decode("utf-8"), "utf-8", source)
    except UnicodeDecodeError:
        pass
    if declared:
        decoded = _try_declared(raw, declared)
        if decoded is not None:
            return _checked(decoded.text, decoded.encoding, source)
    decoded = _detect(raw)
    if decoded is None:
        raise InputError(
            source,
            "is not UTF-8 and its encoding cannot be detected with confidence; "
            "save it as UTF-8 and try again",
        )
    return _checked(decoded.text, decoded.encoding, source)


def _try_declared(raw: bytes, declared: str) -> _Decoded | None:
    try:
        codec = codecs.lookup(declared).name
    except LookupError:
        return None
    # As browsers do (WHATWG Encoding): a page labelled latin-1 or ASCII is really cp1252.
    if codec in ("iso8859-1", "latin-1", "ascii"):
        codec = "cp1252"
    for candidate in (codec, "latin-1") if codec == "cp1252" else (codec,):
        try:
            return _Decoded(raw.decode(candidate), candidate)
        except UnicodeDecodeError:
            continue
    return None


def _detect(raw: bytes) -> _Decoded | None:
    from charset_normalizer import from_bytes
    from charset_normalizer.md import mess_ratio

    matches = from_bytes(raw)
    best = matches.best()
    if best is None:
        return None
    # Western reports are the common case, and charset-normalizer cannot tell cp1252 from
    # cp1250 on a short French or English text (both score zero mess); cp1252 wins unless
    # another code page reads the bytes more cleanly.
    try:
        western = raw.decode("cp1252")
    except UnicodeDecodeError:
        western = None
    if western is not None and mess_ratio(western, 1.0) <= best.chaos:
        return _Decoded(western, "cp1252")
    for match in matches:
        codec = _accepted(match.encoding, match.could_be_from_charset)
        if codec and match.chaos <= _MAX_CHAOS and match.coherence >= _MIN_COHERENCE:
            return _Decoded(str(match), codec)
    return None


def _accepted(encoding: str, alternatives: list[str]) -> str | None:
    for name in (encoding, *alternatives):
        if name in _ACCEPTED_ENCODINGS:
            return name
    return None


def _checked(text: str, encoding: str, source: str) -> _Decoded:
    """Refuse decoded text that is mostly control characters: binary data that decoded."""
    text = text.removeprefix("\ufeff")
    sample = text[:65536]
    controls = sum(
        1 for ch in sample if ch not in "\t\n\r\f\v" and unicodedata.category(ch) == "Cc"
    )
    if sample and controls / len(sample) > 0.01:
        raise InputError(
            source, f"is a binary file (it is full of control characters); {_SUPPORTED_HINT}"
        )
    return _Decoded(text, encoding)


def _meta_charset(raw: bytes) -> str | None:
    match = _META_CHARSET.search(raw[:4096])
    return match.group(1).decode("ascii") if match else None


def _normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _require_text(text: str, source: str, what: str = "only whitespace") -> None:
    if not text.strip():
        raise InputError(source, f"contains {what}; nothing to read")


def _too_large(size: int, limit: int) -> str:
    return (
        f"is {_human(size)} ({size} bytes), over the size limit of {_human(limit)} "
        f"({limit} bytes); split it or raise the limit"
    )


def _human(size: int) -> str:
    value = float(size)
    for unit in ("bytes", "KiB", "MiB"):
        if value < 1024 or unit == "MiB":
            return f"{size} bytes" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"  # pragma: no cover - the loop always returns


# --- HTML ---------------------------------------------------------------------------------


def _html_document(
    decoded: _Decoded,
    raw: bytes,
    source: str,
    sha256: str,
    url: str | None,
    *,
    title: str | None = None,
    author: str | None = None,
    published: date | None = None,
    content_type: str = "text/html",
) -> Document:
    """Main text and metadata of an HTML page; header values given by the caller win."""
    import trafilatura
    from trafilatura.settings import set_date_params

    html = decoded.text
    result = None
    try:
        result = trafilatura.bare_extraction(
            html,
            url=url,
            favor_precision=True,
            with_metadata=True,
            include_comments=False,
            # A wrong publication date misdates every relative date in the text, so only
            # the page's own markup counts, not a guess from dates found in the body.
            date_extraction_params=set_date_params(extensive=False),
        )
    except Exception:  # lxml and trafilatura raise assorted errors on odd markup
        result = None
    meta = _Meta()
    text = ""
    if result is not None and not isinstance(result, dict):
        text = result.text or ""
        meta = _Meta(result.title, result.author, result.sitename or result.hostname, result.date)
    if not text.strip():
        # Pages that are not articles (lists, tables, bare fragments) have no "main text" for
        # trafilatura; every visible word is better than rejecting the page.
        try:
            text = trafilatura.html2txt(html)
        except Exception:  # same reason as above
            text = ""
    # trafilatura puts each block on one line; a blank line between blocks marks the
    # paragraph (and headline) boundaries for the sentence splitter, as in a text file.
    text = "\n\n".join(
        line.strip() for line in _normalize_newlines(text).split("\n") if line.strip()
    )
    _require_text(text, source, "no readable text in its HTML")
    return Document(
        text=text,
        source=source,
        content_type=content_type,
        sha256=sha256,
        title=title or meta.title,
        author=author or meta.author,
        site=meta.site,
        published=published or _iso_day(meta.date),
        url=url or (result.url if result is not None and not isinstance(result, dict) else None),
        raw=raw,
        encoding=decoded.encoding,
    )


@dataclass(frozen=True)
class _Meta:
    title: str | None = None
    author: str | None = None
    site: str | None = None
    date: str | None = None


def _iso_day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


# --- PDF ----------------------------------------------------------------------------------


def _pdf_document(raw: bytes, source: str, sha256: str, url: str | None) -> Document:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(raw), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise InputError(source, "is an encrypted PDF; save an unencrypted copy")
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata
        title = info.title if info else None
        author = info.author if info else None
    except InputError:
        raise
    except Exception as exc:  # pypdf raises many types on damaged files
        raise InputError(source, f"is not a readable PDF ({type(exc).__name__}: {exc})") from None
    # Pages are separated by a blank line so that no sentence runs across a page break
    # unnoticed and the sentence splitter sees a paragraph boundary there.
    text = "\n\n".join(_normalize_newlines(page).strip() for page in pages if page.strip())
    _require_text(text, source, "no extractable text in its PDF (scanned pages? run OCR first)")
    return Document(
        text=text,
        source=source,
        content_type="application/pdf",
        sha256=sha256,
        title=str(title).strip() or None if title else None,
        author=str(author).strip() or None if author else None,
        url=url,
        raw=raw,
    )


# --- e-mail -------------------------------------------------------------------------------


def _eml_document(raw: bytes, source: str, sha256: str, url: str | None) -> Document:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    if not isinstance(message, EmailMessage):  # pragma: no cover - the policy guarantees it
        raise InputError(source, "is not an e-mail message")
    title = _header(message, "subject")
    author = _header(message, "from")
    published = _mail_date(_header(message, "date"))
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        raise InputError(source, "is an e-mail without a text or HTML part; nothing to read")
    payload = body.get_payload(decode=True)
    if not isinstance(payload, bytes) or not payload.strip():
        raise InputError(source, "is an e-mail whose text part is empty; nothing to read")
    decoded = _decode(payload, source, body.get_content_charset())
    if body.get_content_subtype() == "html":
        return _html_document(
            decoded,
            raw,
            source,
            sha256,
            url,
            title=title,
            author=author,
            published=published,
            content_type="message/rfc822",
        )
    text = _normalize_newlines(decoded.text)
    _require_text(text, source, "an empty e-mail body")
    return Document(
        text=text,
        source=source,
        content_type="message/rfc822",
        sha256=sha256,
        title=title,
        author=author,
        published=published,
        url=url,
        raw=raw,
        encoding=decoded.encoding,
    )


def _header(message: EmailMessage, name: str) -> str | None:
    try:
        value = message.get(name)
    except Exception:  # a malformed header must not lose the whole message
        return None
    return str(value).strip() or None if value is not None else None


def _mail_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        stamp: datetime = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return stamp.date()
