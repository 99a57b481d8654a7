"""Exact repeats and near-duplicate clusters (MinHash LSH)."""

from __future__ import annotations

import random
import re
from datetime import date

import pytest
from sqlalchemy import Engine

from watchfloor.ingest import Ingestor, Item, SourceSpec
from watchfloor.ingest.dedup import (
    DEFAULT_THRESHOLD,
    fingerprint,
    from_signature_bytes,
    normalize_text,
    raw_key,
    shingles,
    signature_bytes,
    similarity,
    text_key,
)
from watchfloor.ingest.neardup import Fingerprinter
from watchfloor.ingest.records import Document
from watchfloor.store import find_documents, transaction

# A syndicating site's own furniture, added around a copy.
HEADER = (
    "Eastmere Courier | Home | World | Politics | Business | Opinion | Video\n\n"
    "Sign in to keep reading. Share this story with your friends and colleagues.\n\n"
)
FOOTER = (
    "\n\nCopyright 2024 Eastmere Courier Media Group. All rights reserved. This material may "
    "not be published, broadcast, rewritten or redistributed without permission.\n\n"
    "Sign up for our morning newsletter to get the top stories in your inbox every day. "
    "We use cookies to improve your experience; by continuing you accept our privacy policy "
    "and our terms of use.\n"
)

# Written for these tests: two unrelated reports and one that shares the first one's topic.
PORT_REPORT = "\n\n".join(
    [
        (
            "Harbour police in Eastmere arrested two men on Friday who had been watching the home "
            "of the port authority chairman for at least three weeks, according to court papers "
            "filed on Monday."
        ),
        (
            "Investigators say the men photographed the chairman's car each morning, noted when "
            "his security detail changed shifts and kept a notebook of the routes he took to the "
            "container terminal. A neighbour who saw the same van parked outside the house on "
            "several nights called the police."
        ),
        (
            "Prosecutors told the court that one of the men had posted messages calling the "
            "chairman a traitor for signing a concession with a foreign shipping group. The "
            'messages said he would "pay for the harbour" and named the school his children '
            "attend."
        ),
        (
            "Defence lawyers said their clients were amateur photographers with an interest in "
            "ships and had no plan to hurt anyone. They asked for bail, which the judge refused, "
            "citing the risk that the men would contact others who had shared the messages."
        ),
        (
            "The port authority said the chairman and his family had been moved to a secure "
            "location while the investigation continues. Officers from the protection unit now "
            "escort him to the terminal, and the authority has asked staff to report any vehicle "
            "that follows his car."
        ),
        (
            "The concession, which hands the operation of two berths to the foreign group for "
            "thirty years, has been debated in the regional assembly since the spring. Dock "
            "workers staged a short strike in April, but their union has condemned the threats "
            "and said the dispute must be settled by negotiation."
        ),
        (
            "A hearing on the charges, which include stalking and preparing a violent offence, is "
            "set for the second week of next month."
        ),
    ]
)

RIVER_REPORT = "\n\n".join(
    [
        (
            "The regional water board approved a plan on Wednesday to rebuild the flood walls "
            "along the lower river, ending a two-year argument over who should pay for the work."
        ),
        (
            "Under the plan, the board will cover two thirds of the cost and the three riverside "
            "towns will share the rest according to the length of wall in each town. Engineers "
            "expect the first section, near the old mill bridge, to be finished before the autumn "
            "rains."
        ),
        (
            "Farmers upstream had asked for a larger share of the money to go to retention ponds, "
            "which hold back water in the fields during heavy storms. The board agreed to study "
            "the ponds next year but said the walls could not wait after the floods of last "
            "winter damaged more than two hundred homes."
        ),
        (
            "Residents of the lowest streets welcomed the decision. Several said they had kept "
            "sandbags in their hallways since the winter and had struggled to buy insurance. "
            "Shopkeepers on the quay asked that the work be done at night so that the market can "
            "stay open."
        ),
        (
            "The board will publish the construction timetable in June. Contractors can bid for "
            "the first section until the end of May, and the board has promised to favour firms "
            "that hire local apprentices."
        ),
    ]
)

# A second, independent report on the same arrests: same names and facts, its own words.
PORT_REPORT_OTHER_OUTLET = "\n\n".join(
    [
        (
            "Two men were detained in Eastmere on Friday on suspicion of stalking the chairman of "
            "the port authority, police confirmed."
        ),
        (
            "Officers said a resident had alerted them to a van that kept returning to the "
            "chairman's street at night. The suspects are accused of following his car to the "
            "container terminal and recording the movements of his bodyguards."
        ),
        (
            "One suspect is alleged to have written online that the chairman would pay for the "
            "harbour deal, a thirty-year concession for two berths that has split the region "
            "since spring. The union representing dock workers said it rejected any violence."
        ),
        (
            "Both men deny wrongdoing. Their lawyers describe them as ship enthusiasts. A judge "
            "ordered them held until a hearing next month."
        ),
    ]
)


def paragraphs(text: str) -> list[str]:
    return [p for p in re.split(r"\n\s*\n", text) if p.strip()]


def with_boilerplate(text: str) -> str:
    return HEADER + text + FOOTER


def drop_sentences(text: str, count: int, seed: int = 3) -> str:
    """Drop `count` sentences, keeping the paragraphs, as when link texts fall out of a copy."""
    split = [re.split(r"(?<=[.!?])\s+", p) for p in paragraphs(text)]
    positions = [(i, j) for i, sentences in enumerate(split) for j in range(len(sentences))]
    dropped = set(random.Random(seed).sample(positions, count))
    kept = [
        " ".join(s for j, s in enumerate(sentences) if (i, j) not in dropped)
        for i, sentences in enumerate(split)
    ]
    return "\n\n".join(p for p in kept if p.strip())


def reorder_paragraphs(text: str, seed: int = 5) -> str:
    parts = paragraphs(text)
    random.Random(seed).shuffle(parts)
    assert parts != paragraphs(text)
    return "\n\n".join(parts)


def strip_teasers(text: str) -> str:
    """Cut the comment widget and "also read" teasers that close the seed page."""
    cut = text.find("Leave a Reply")
    assert cut > 0, "the seed article no longer ends with its comment and teaser block"
    return text[:cut]


# --- exact keys ------------------------------------------------------------------------


def test_exact_keys() -> None:
    assert raw_key(b"abc") == raw_key(b"abc") != raw_key(b"abd")
    assert normalize_text("The Envoy's   car,\nwatched!") == "the envoy s car watched"
    # The same words in another wrapping (case, punctuation, line breaks) are one text...
    assert text_key("Two men were ARRESTED.\r\n\r\nPolice said so.") == text_key(
        "two men were arrested -- police said so"
    )
    # ...but one changed word is not.
    assert text_key("Two men were arrested.") != text_key("Three men were arrested.")


def test_shingles_stay_within_paragraphs() -> None:
    assert shingles("one two three four\n\nfive six") == {
        "one two three",
        "two three four",
        "five six",
    }
    assert shingles("  \n\n ") == set()


# --- signatures ------------------------------------------------------------------------


def test_signature_round_trip() -> None:
    minhash = fingerprint(PORT_REPORT)
    stored = signature_bytes(minhash)
    assert isinstance(stored, bytes)
    restored = from_signature_bytes(stored)
    assert list(restored.hashvalues) == list(minhash.hashvalues)
    assert similarity(restored, fingerprint(PORT_REPORT)) == 1.0
    assert similarity(restored, fingerprint(RIVER_REPORT)) < 0.1


def test_garbage_signature_is_refused() -> None:
    with pytest.raises(ValueError, match="not a stored MinHash"):
        from_signature_bytes(b"\x01\x02\x03")


def test_fingerprints_are_stable_across_calls() -> None:
    assert list(fingerprint(RIVER_REPORT).hashvalues) == list(fingerprint(RIVER_REPORT).hashvalues)


# --- near-duplicates on texts written for the tests, through the store ----------------------
# The real path: the Ingestor fingerprints each document (ingest.neardup.Fingerprinter), the
# store finds candidates by LSH band keys and confirms them by signature similarity.


def ingest(engine: Engine, *documents: tuple[str, str, date | None]) -> dict[str, int]:
    """Store (name, text, published) in order; each name's cluster id."""
    ingestor = Ingestor(
        engine,
        SourceSpec("files", kind="analyst"),
        analyze=None,  # clusters only: no statements to find
        fingerprinter=Fingerprinter(),
        batch_size=4,
    )
    items = [
        Item(name, lambda t=text, n=name, d=day: Document.from_text(t, source=n, published=d))
        for name, text, day in documents
    ]
    outcomes = list(ingestor.run(items))
    assert [o.status for o in outcomes] == ["stored"] * len(documents)
    return {name: o.cluster_id for (name, _, _), o in zip(documents, outcomes, strict=True)}


def members(engine: Engine, cluster: int) -> tuple[list[str], str]:
    """The names in a cluster, in storing order, and the name of its origin."""
    with transaction(engine) as session:
        found = find_documents(session, cluster_id=cluster)
        names = [d.location for d in sorted(found, key=lambda d: d.id)]
        return names, next(d.location for d in found if d.is_origin)


def test_syndicated_copy_is_near_duplicate_and_unrelated_report_is_not(store: Engine) -> None:
    copy = with_boilerplate(reorder_paragraphs(drop_sentences(PORT_REPORT, 2)))
    clusters = ingest(
        store,
        ("port", PORT_REPORT, None),
        ("river", RIVER_REPORT, None),
        ("other-outlet", PORT_REPORT_OTHER_OUTLET, None),
        ("copy", copy, None),
    )
    assert clusters["copy"] == clusters["port"]
    # An independent report on the same arrests shares names and facts, not wording.
    assert len({clusters["port"], clusters["river"], clusters["other-outlet"]}) == 3
    assert similarity(fingerprint(PORT_REPORT), fingerprint(PORT_REPORT_OTHER_OUTLET)) < 0.2


def test_shared_site_boilerplate_does_not_make_reports_duplicates(store: Engine) -> None:
    a = fingerprint(with_boilerplate(PORT_REPORT))
    b = fingerprint(with_boilerplate(RIVER_REPORT))
    assert similarity(a, b) < DEFAULT_THRESHOLD / 2
    clusters = ingest(
        store,
        ("port", with_boilerplate(PORT_REPORT), None),
        ("river", with_boilerplate(RIVER_REPORT), None),
    )
    assert clusters["port"] != clusters["river"]


def test_copies_over_the_threshold_join_and_the_rest_stay_apart(store: Engine) -> None:
    shortened = drop_sentences(PORT_REPORT, 3)
    framed = with_boilerplate(PORT_REPORT)
    original = fingerprint(PORT_REPORT)
    scores = [similarity(original, fingerprint(text)) for text in (framed, shortened)]
    assert all(score >= DEFAULT_THRESHOLD for score in scores)
    assert similarity(original, fingerprint(RIVER_REPORT)) < DEFAULT_THRESHOLD
    clusters = ingest(
        store,
        ("shortened", shortened, None),
        ("framed", framed, None),
        ("river", RIVER_REPORT, None),
        ("port", PORT_REPORT, None),
    )
    assert clusters["port"] == clusters["framed"] == clusters["shortened"] != clusters["river"]


def test_fingerprint_rules() -> None:
    fingerprinter = Fingerprinter()
    # A text without words has an empty fingerprint: no band keys, so it matches nothing.
    assert fingerprinter.fingerprint("--- ...").band_keys == ()
    assert len(fingerprinter.fingerprint(PORT_REPORT).band_keys) == fingerprinter.bands[0]
    with pytest.raises(ValueError, match="numbers of permutation"):
        similarity(fingerprint(PORT_REPORT), fingerprint(PORT_REPORT, num_perm=64))


def test_clusters_join_nearest_and_origin_is_earliest(store: Engine) -> None:
    # The syndicated copy arrives first but was published later than the original.
    clusters = ingest(
        store,
        ("copy", with_boilerplate(PORT_REPORT), date(2024, 5, 20)),
        ("river", RIVER_REPORT, date(2024, 5, 18)),
        ("original", PORT_REPORT, date(2024, 5, 17)),
    )
    assert clusters["original"] == clusters["copy"] != clusters["river"]
    assert members(store, clusters["copy"]) == (["copy", "original"], "original")
    assert members(store, clusters["river"]) == (["river"], "river")


# --- the seed article ------------------------------------------------------------------


@pytest.mark.shared
def test_derived_copies_of_the_seed_form_one_cluster(store: Engine, seed_text: str) -> None:
    copies = {
        "boilerplate": with_boilerplate(seed_text),
        "links-dropped": drop_sentences(seed_text, 6),
        "reordered": reorder_paragraphs(seed_text),
        "teasers-cut": strip_teasers(seed_text),
        "all-at-once": with_boilerplate(
            reorder_paragraphs(drop_sentences(strip_teasers(seed_text), 6))
        ),
    }
    original = fingerprint(seed_text)
    for name, text in copies.items():
        assert similarity(original, fingerprint(text)) >= DEFAULT_THRESHOLD, name

    clusters = ingest(
        store,
        ("seed", seed_text, date(2020, 9, 14)),
        ("port", PORT_REPORT, date(2024, 5, 17)),
        *((name, text, date(2020, 9, 15)) for name, text in copies.items()),
    )
    assert all(clusters[name] == clusters["seed"] for name in copies)
    assert members(store, clusters["seed"]) == (["seed", *copies], "seed")
    assert members(store, clusters["port"]) == (["port"], "port")


@pytest.mark.shared
def test_different_article_does_not_join_the_seed_cluster(store: Engine, seed_text: str) -> None:
    others = (PORT_REPORT, with_boilerplate(RIVER_REPORT), PORT_REPORT_OTHER_OUTLET)
    clusters = ingest(
        store,
        ("seed", seed_text, None),
        *((f"other-{n}", text, None) for n, text in enumerate(others)),
    )
    assert all(clusters[f"other-{n}"] != clusters["seed"] for n in range(len(others)))
    for text in others:
        assert similarity(fingerprint(seed_text), fingerprint(text)) < 0.1
