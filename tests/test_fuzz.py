"""Fuzzing (issue 14): the feed reader, the file readers, the watchlist loader and the marking
parser on arbitrary input. Each either gives a result or raises the error the project raises on
purpose (WatchfloorError, one message naming the input); anything else is a crash.

Bounded: a few hundred examples per harness, run with the rest of `make test`. Set
WATCHFLOOR_FUZZ_EXAMPLES to run longer.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

import httpx
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from watchfloor.errors import WatchfloorError
from watchfloor.ingest import feeds
from watchfloor.ingest.files import document_from_bytes
from watchfloor.link.watchlist import load_watchlist
from watchfloor.publish.markings import parse_marking

EXAMPLES = int(os.environ.get("WATCHFLOOR_FUZZ_EXAMPLES", "200"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

# Text with the characters that have broken readers before: markup, entities and character
# references (a lone surrogate among them), control characters, astral and odd Unicode.
nasty = st.lists(
    st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(
            ["<", ">", "&", "&#xD800;", "&#0;", "&amp;", "]]>", "\x00", "\x1b", "\ufeff"]
        ),
    ),
    max_size=60,
).map("".join)
dates = st.sampled_from(
    ["Sat, 01 Jan 0000 00:00:00 GMT", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59-05:00", "x"]
)


@st.composite
def feed_bodies(draw: st.DrawFn) -> bytes:
    if draw(st.booleans()):
        return draw(st.binary(max_size=400))
    items = "".join(
        f"<item><title>{draw(nasty)}</title><guid>{draw(nasty)}</guid>"
        f"<pubDate>{draw(dates)}</pubDate><description>{draw(nasty)}</description></item>"
        for _ in range(draw(st.integers(0, 3)))
    )
    atom = (
        f"<entry><title>{draw(nasty)}</title><id>{draw(nasty)}</id>"
        f"<updated>{draw(dates)}</updated><content>{draw(nasty)}</content></entry>"
    )
    if draw(st.booleans()):
        text = f'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>{atom}</feed>'
    else:
        text = f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'
    return text.encode("utf-8", "surrogatepass")


@FUZZ
@given(feed_bodies(), st.sampled_from(["application/rss+xml", "text/xml", "", "text/html"]))
def test_the_feed_reader_never_crashes(body: bytes, content_type: str) -> None:
    fetched = feeds._Fetched(200, httpx.Headers({"content-type": content_type}), body, "http://f/")
    spec = feeds.FeedSpec(name="f", url="http://f/")
    try:
        items, _ = feeds._feed_items(fetched)
    except feeds._FetchError:
        return
    for item in items:
        with contextlib.suppress(WatchfloorError):
            feeds.item_document(item, spec)


@FUZZ
@given(
    st.one_of(st.binary(max_size=600), nasty.map(lambda t: t.encode("utf-8", "surrogatepass"))),
    st.sampled_from(
        [
            None,
            "text/plain",
            "text/html",
            "text/html; charset=iso-8859-1",
            "text/plain; charset=bogus",
            "application/pdf",
            "application/octet-stream",
        ]
    ),
    st.sampled_from(["a.txt", "a.html", "a.pdf", "a", "a.bin"]),
)
def test_the_file_readers_never_crash(raw: bytes, content_type: str | None, name: str) -> None:
    with contextlib.suppress(WatchfloorError):
        document_from_bytes(raw, name, content_type, max_bytes=10_000)


@FUZZ
@given(st.binary(min_size=1, max_size=120).map(lambda b: b"%PDF-1.4\n" + b))
def test_the_pdf_reader_never_crashes(raw: bytes) -> None:
    with contextlib.suppress(WatchfloorError):
        document_from_bytes(raw, "a.pdf", "application/pdf")


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.dates(),
)
keys = st.one_of(st.text(max_size=12), st.integers(), st.none(), st.booleans(), st.dates())
structures = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=4)
    ),
    max_leaves=20,
)
protectee_like = st.fixed_dictionaries(
    {"id": scalars, "name": scalars},
    optional={"aliases": structures, "roles": structures, "notify": structures, "x": structures},
)
watchlists = st.one_of(
    structures,
    st.dictionaries(keys, structures, max_size=3),
    st.builds(lambda ps, extra: {"protectees": ps, **extra}, st.lists(protectee_like), st.just({})),
    st.builds(
        lambda ps, extra: {"protectees": ps, **extra},
        st.lists(protectee_like, max_size=3),
        st.dictionaries(keys, scalars, max_size=2),
    ),
)


@FUZZ
@given(st.one_of(watchlists.map(yaml.safe_dump), st.text(max_size=300)), st.booleans())
def test_the_watchlist_loader_never_crashes(text: str, csv: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ("watchlist.csv" if csv else "watchlist.yaml")
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        with contextlib.suppress(WatchfloorError):
            load_watchlist(path)


marking_text = st.one_of(
    st.text(max_size=60),
    st.lists(
        st.sampled_from(
            ["TS", "S", "C", "U", "SI", "TK", "HCS-P", "NF", "NOFORN", "REL TO", "USA", "GBR",
             "FVEY", "ORCON", "FOUO", "TLP:RED", "TLP:AMBER+STRICT", "DISPLAY ONLY", "//", "/",
             ",", " ", "-", "(", ")", "SECRET", "TOP SECRET", "UNCLASSIFIED", ""]
        ),
        max_size=12,
    ).map("".join),
)  # fmt: skip


@FUZZ
@given(marking_text)
def test_the_marking_parser_never_crashes(text: str) -> None:
    try:
        marking = parse_marking(text)
    except WatchfloorError:
        return
    # What parses prints back to a marking that parses to the same thing.
    assert parse_marking(marking.banner()) == marking
    assert parse_marking(marking.portion()) == marking
