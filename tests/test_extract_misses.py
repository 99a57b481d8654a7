"""Extraction misses found while writing report series: datelines, group actors behind cells
and accounts, dates without a year, future-relative dates and retracted intent. Sentences are
written for these tests."""

from __future__ import annotations

from datetime import date

import pytest

from watchfloor.extract.dates import datelines, find_dates, resolve
from watchfloor.ingest.records import Document
from watchfloor.pipeline import Analyzer, Finding

# A Sunday, so that "next week" and weekdays have a fixed answer.
PUBLISHED = date(2031, 3, 30)


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def findings(analyzer: Analyzer, text: str, published: date = PUBLISHED) -> list[Finding]:
    document = Document(text=text, source="test", content_type="text/plain", sha256="0" * 64)
    return analyzer.analyze(document, published)


def one(found: list[Finding], act: str) -> Finding:
    matching = [f for f in found if f.statement.act == act]
    assert len(matching) == 1, f"expected one {act} statement, got {found}"
    return matching[0]


# Actors ---------------------------------------------------------------------------------------


def test_dateline_place_is_not_the_actor(analyzer: Analyzer) -> None:
    text = (
        "GARISSA, 4 March - Al-Shabaab has threatened to behead the chief of Dadaab camp "
        "next week, a local elder said."
    )
    finding = one(findings(analyzer, text), "kill")
    statement = finding.statement
    assert statement.actor is not None and statement.actor.text == "Al-Shabaab"
    assert finding.actor.entity == "al-Shabaab"
    # The statement's own "next week" wins over the dateline's date: the Monday after.
    assert statement.when == "2031-03-31"


def test_dateline_with_agency_keeps_the_subject(analyzer: Analyzer) -> None:
    text = "KISMAYO (Agency) — Gunmen loyal to al-Shabaab killed a district judge on Friday."
    statement = one(findings(analyzer, text), "kill").statement
    assert statement.actor is not None and "Gunmen" in statement.actor.text
    assert statement.when == "2031-03-28"


@pytest.mark.parametrize(
    ("text", "act", "entity"),
    [
        (
            "A Shabaab cell in Lamu was behind the attack on the county commissioner.",
            "attack",
            "al-Shabaab",
        ),
        (
            "An al-Shabaab unit claimed responsibility for the killing of a police chief in Wajir.",
            "kill",
            "al-Shabaab",
        ),
        (
            "A Telegram channel linked to ISIS called on supporters to stab the bishop of Nice.",
            "attack",
            "ISIS",
        ),
        (
            "A social media account tied to Islamic State called for the murder of the mayor.",
            "kill",
            "ISIS",
        ),
        (
            "Threats against the mayor were posted by an online account linked to ISIS.",
            "threaten",
            "ISIS",
        ),
    ],
)
def test_group_behind_a_cell_or_account_is_the_actor(
    analyzer: Analyzer, text: str, act: str, entity: str
) -> None:
    finding = one(findings(analyzer, text), act)
    assert finding.statement.actor is not None, finding
    assert finding.actor.entity == entity


def test_the_first_verb_still_ends_the_actor(analyzer: Analyzer) -> None:
    # A participle that is the clause's own verb is not a modifier of the actor.
    text = "Two men based in Mombasa plotted to kidnap the mayor of Malindi."
    statement = one(findings(analyzer, text), "kidnap").statement
    assert statement.actor is not None and statement.actor.text == "Two men based in Mombasa"


# Dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "act", "when"),
    [
        # Looking forward: the next such day from the report's date on.
        (
            "The cell planned to bomb the governor's office on 12 April, police said.",
            "attack",
            "2031-04-12",
        ),
        ("He threatened to kill the magistrate on April 2.", "kill", "2031-04-02"),
        ("The gang is considering kidnapping the banker in May.", "kidnap", "2031-05"),
        ("Militants threatened to attack the mayor on Friday.", "attack", "2031-04-04"),
        # In the past: the latest such day on or before it.
        ("Gunmen shot dead the magistrate on 12 April.", "kill", "2030-04-12"),
        ("Police foiled a plot to kidnap the banker on 2 April.", "kidnap", "2030-04-02"),
        ("Attackers tried to stab the judge on Friday.", "attack", "2031-03-28"),
        # The date of the threat itself, on a past verb, stays in the past.
        ("On 12 April the group threatened to kill the governor.", "kill", "2030-04-12"),
    ],
)
def test_day_without_a_year_follows_the_statement(
    analyzer: Analyzer, text: str, act: str, when: str
) -> None:
    assert one(findings(analyzer, text), act).statement.when == when


@pytest.mark.parametrize(
    ("text", "when"),
    [
        ("The militia plans to attack the ambassador next week.", "2031-03-31"),
        ("The militia plans to attack the ambassador within days.", "2031-03-30"),
        ("The militia plans to attack the ambassador tomorrow.", "2031-03-31"),
        ("The militia plans to attack the ambassador next month.", "2031-04"),
    ],
)
def test_relative_future_dates(analyzer: Analyzer, text: str, when: str) -> None:
    assert one(findings(analyzer, text), "attack").statement.when == when


def test_relative_date_wins_over_the_dateline_date() -> None:
    text = "MOGADISHU, 28 March - The group vowed to attack the minister on Friday."
    phrases = find_dates(text)
    assert [p.text for p in phrases][:1] == ["28 March"]
    assert datelines(text) == [(0, text.index("The group"))]


def test_resolve_directions() -> None:
    published = date(2031, 3, 30)
    assert resolve("12 April", published) == "2030-04-12"
    assert resolve("12 April", published, future=True) == "2031-04-12"
    assert resolve("30 March", published, future=True) == "2031-03-30"
    assert resolve("29 March", published, future=True) == "2032-03-29"
    assert resolve("in April", published, future=True) == "2031-04"
    assert resolve("next Sunday", published) == "2031-04-06"
    assert resolve("last Friday", published, future=True) == "2031-03-28"
    assert resolve("next week", date(2031, 4, 2)) == "2031-04-07"
    assert resolve("next year", published) == "2032"


def test_datelines_need_a_line_start_and_a_dash() -> None:
    assert datelines("WASHINGTON, March 3 -- Officials said ...") != []
    assert datelines("Nairobi, 3 March (Wire) - Police said ...") != []
    assert datelines("Police said - in a statement - that ...") == []
    assert datelines("Officials in NAIROBI - said ...") == []


# Retracted intent -----------------------------------------------------------------------------


def test_no_sign_of_a_still_held_intent_is_a_denial(analyzer: Analyzer) -> None:
    text = (
        "Investigators said there was no sign that anyone still intended to attack the "
        "governor of Lamu."
    )
    finding = one(findings(analyzer, text), "attack")
    assert finding.statement.status == "denied"
    assert finding.duty_to_warn is False


def test_no_sign_of_intent_is_not_asserted(analyzer: Analyzer) -> None:
    text = "Officials said they saw no sign that the militia planned to kill Senator Rosa Delgado."
    assert one(findings(analyzer, text), "kill").statement.status == "hypothetical"


def test_still_alone_keeps_the_threat_live(analyzer: Analyzer) -> None:
    text = "Police believe the cell still intends to kidnap Senator Rosa Delgado."
    finding = one(findings(analyzer, text), "kidnap")
    assert finding.statement.status == "planned"
    assert finding.duty_to_warn is True


def test_killing_a_levy_is_figurative(analyzer: Analyzer) -> None:
    text = "TALLINN, 6 May - Farmers vowed to kill the new fuel levy before the summer."
    assert findings(analyzer, text) == []


def test_role_place_hung_on_the_verb_stays_in_the_target_phrase() -> None:
    # A parse some pipelines give: "to South Africa" attached to the verb, not to the title.
    import spacy
    from spacy.tokens import Doc

    from watchfloor.extract.lexicon import load_lexicon
    from watchfloor.extract.syntax import Syntax

    def parsed(noun: str) -> Doc:
        return Doc(
            spacy.blank("en").vocab,
            words=["They", "plan", "to", "kill", "the", noun, "to", "South", "Africa", "."],
            heads=[1, 1, 3, 1, 5, 3, 8, 8, 3, 1],
            deps=[
                "nsubj",
                "ROOT",
                "mark",
                "xcomp",
                "det",
                "obj",
                "case",
                "compound",
                "obl",
                "punct",
            ],
            pos=["PRON", "VERB", "PART", "VERB", "DET", "NOUN", "ADP", "PROPN", "PROPN", "PUNCT"],
        )

    syntax = Syntax(load_lexicon())
    doc = parsed("ambassador")
    assert syntax.np(doc[5], doc[:]).text == "the ambassador to South Africa"
    # Only a role title takes the place along.
    doc = parsed("driver")
    assert syntax.np(doc[5], doc[:]).text == "the driver"
