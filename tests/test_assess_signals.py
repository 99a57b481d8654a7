"""find_signals on sentences written for these tests: behaviours, temporal phrases, cues."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from watchfloor.assess.records import Signal
from watchfloor.assess.signals import find_signals, load_signal_lexicon, redate
from watchfloor.errors import WatchfloorError


def labels(text: str, kind: str) -> list[str]:
    return [s.label for s in find_signals(text) if s.kind == kind]


def only(text: str, kind: str) -> Signal:
    found = [s for s in find_signals(text) if s.kind == kind]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("text", "behaviour"),
    [
        ("Before the visit he told two friends he would shoot the mayor.", "leakage"),
        ("She bragged about the plan in a bar.", "leakage"),
        ("The cell had mapped out her route from the residence.", "planning"),
        ("Investigators say he bought a rifle last month.", "planning"),
        ("The group recruited local gunmen for the job.", "planning"),
        ("He was obsessed with the senator, his diary shows.", "fixation"),
        ("He sent a threatening letter to the judge's chambers.", "direct_threat"),
        ("Officers saw men who photographed the ambassador's residence at night.", "surveillance"),
        ("They tracked her daily movements for a week.", "surveillance"),
        ("He wrote that he had nothing left to lose.", "last_resort"),
    ],
)
def test_behaviours(text: str, behaviour: str) -> None:
    signal = only(text, "behaviour")
    assert signal.label == behaviour
    assert text[signal.start : signal.end] == signal.text
    assert signal.days_before is None


def test_ordinary_prose_has_no_behaviour() -> None:
    text = "The trade committee met in Geneva on Tuesday and agreed a tariff schedule for steel."
    assert labels(text, "behaviour") == []
    assert labels(text, "escalation") == []


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("Warnings have grown in recent weeks.", 14),
        ("Warnings have grown in recent days.", 4),
        ("The cell has been watched for months.", 90),
        ("A similar plan surfaced last year.", 365),
        ("The informant called three weeks ago.", 21),
        ("Over the past 10 days the chatter grew.", 10),
    ],
)
def test_temporal_phrases(text: str, days: int) -> None:
    signal = only(text, "temporal")
    assert signal.days_before == days
    assert text[signal.start : signal.end] == signal.text


def test_season_is_dated_against_the_report_day() -> None:
    text = "Officials have known of the plan since the spring."
    undated = only(text, "temporal")
    assert undated.days_before == 120  # the lexicon's typical span, without a date
    summer = only_dated(text, date(2021, 7, 1))
    assert summer.days_before == (date(2021, 7, 1) - date(2021, 3, 1)).days
    # In January, "since the autumn" reaches back into the year before.
    winter = only_dated("Known since the autumn.", date(2022, 1, 10))
    assert winter.days_before == (date(2022, 1, 10) - date(2021, 9, 1)).days
    assert redate(undated, date(2021, 7, 1)).days_before == summer.days_before


def only_dated(text: str, day: date) -> Signal:
    found = [s for s in find_signals(text, day) if s.kind == "temporal"]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("The reporting has become more specific.", "more_specific"),
        ("Plans are now more detailed than before.", "more_detailed"),
        ("The group has stepped up its preparations.", "stepped_up"),
        ("Surveillance intensified after the election.", "intensified"),
        ("The timetable accelerated in August.", "accelerated"),
    ],
)
def test_escalation_cues(text: str, label: str) -> None:
    assert labels(text, "escalation") == [label]


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("The plot was called off in May.", "called_off"),
        ("The cell abandoned the scheme.", "abandoned"),
        ("The group is no longer active in the city.", "no_longer"),
        ("The threat has receded since the arrests.", "receded"),
        ("Interest in the target waned over the winter.", "waned"),
        ("The network has been dormant for a year.", "dormant"),
        ("Police disrupted the cell in March.", "disrupted"),
    ],
)
def test_de_escalation_cues(text: str, label: str) -> None:
    assert labels(text, "de_escalation") == [label]


def test_offsets_point_into_a_longer_text_across_line_breaks() -> None:
    text = "First paragraph.\n\nThe threat has become\nmore specific in recent weeks, he said."
    found = find_signals(text)
    kinds = {(s.kind, s.label) for s in found}
    assert ("escalation", "more_specific") in kinds
    assert ("temporal", "temporal") in kinds
    for signal in found:
        assert text[signal.start : signal.end] == signal.text


def test_a_broken_lexicon_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "behaviours.yaml").write_text(
        "behaviours:\n  leakage: ['told (friends']\n", encoding="utf-8"
    )
    (tmp_path / "temporal.yaml").write_text("phrases: []\n", encoding="utf-8")
    with pytest.raises(WatchfloorError, match=r"behaviours\.yaml.*leakage"):
        load_signal_lexicon(str(tmp_path))
