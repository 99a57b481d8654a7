"""Turn the open treebanks in ../shared/data into spaCy DocBin corpora.

UD-EWT gives tags, morphology, lemmas and trees (no entities: its docs leave
entity annotation *missing*, so the recognizer is not taught that nothing is a
name). GUM gives the same layers plus entity mentions; only *named* mentions
are kept (a mention whose syntactic head is a proper noun), trimmed to the
run of proper nouns around that head, so that spans look like the entity
spans news readers expect ("Lana Marks", not "US ambassador Lana Marks").

Run: python training/convert.py --shared ../shared --out training/corpus
"""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import spacy
import yaml
from spacy.tokens import Doc, DocBin, Span

# GUM documents held out from all training: entity evaluation reads these.
GUM_TEST = (
    "GUM_news_homeopathic",
    "GUM_news_sensitive",
    "GUM_news_taxes",
    "GUM_news_warming",
    "GUM_interview_libertarian",
    "GUM_interview_hill",
    "GUM_interview_dungeon",
    "GUM_bio_jespersen",
    "GUM_voyage_vavau",
    "GUM_academic_exposure",
    "GUM_court_fire",
)
# GUM documents used only to pick the best checkpoint during training.
GUM_DEV = (
    "GUM_news_iodine",
    "GUM_news_clock",
    "GUM_interview_peres",
    "GUM_interview_onion",
    "GUM_bio_byron",
    "GUM_voyage_york",
    "GUM_academic_games",
    "GUM_court_loan",
)

GUM_TYPE_TO_LABEL = {
    "person": "PERSON",
    "organization": "ORG",
    "place": "GPE",
    "event": "EVENT",
    "time": "DATE",
}
NAME_TAGS = {"NNP", "NNPS"}
NAME_GLUE = {"of", "and", "&", "the", "-", "de", "for", "on"}
SENTENCES_PER_DOC = 10

ENTITY_OPEN = re.compile(r"\((\d+)-([a-z]+)")
ENTITY_CLOSE = re.compile(r"(\d+)\)")


@dataclass
class Word:
    form: str
    lemma: str
    upos: str
    xpos: str
    feats: str
    head: int
    deprel: str
    space_after: bool
    misc: str


@dataclass
class Sentence:
    words: list[Word] = field(default_factory=list)


def read_conllu(path: Path) -> Iterator[Sentence]:
    sentence = Sentence()
    # A multiword token ("don't" = "do" + "n't") carries the spacing for its words: none
    # between them, and its own SpaceAfter after the last. Without this the text would read
    # "do n't" and "I 've", which no reader writes.
    fused_last, fused_space_after = 0, True
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if not line:
                if sentence.words:
                    yield sentence
                sentence = Sentence()
                fused_last = 0
                continue
            if line.startswith("#"):
                continue
            cols = line.split("\t")
            if "-" in cols[0]:
                fused_last = int(cols[0].split("-")[1])
                fused_space_after = "SpaceAfter=No" not in cols[9]
                continue
            if "." in cols[0]:
                continue
            misc = cols[9]
            space_after = "SpaceAfter=No" not in misc
            if int(cols[0]) < fused_last:
                space_after = False
            elif int(cols[0]) == fused_last:
                space_after = fused_space_after
            sentence.words.append(
                Word(
                    form=cols[1],
                    lemma=cols[2],
                    upos=cols[3],
                    xpos=cols[4],
                    feats="" if cols[5] == "_" else cols[5],
                    head=int(cols[6]) if cols[6] != "_" else 0,
                    deprel=cols[7],
                    space_after=space_after,
                    misc=misc,
                )
            )
    if sentence.words:
        yield sentence


def load_title_words(path: Path) -> set[str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    words = {w.lower() for synonyms in data["titles"].values() for w in synonyms}
    words.update(h.lower() for h in data["honorifics"])
    # Multi-word titles are matched token by token when trimming names.
    return {part for w in words for part in w.split()}


def load_demonyms(shared_repo_data: Path) -> set[str]:
    data = yaml.safe_load(shared_repo_data.read_text(encoding="utf-8"))
    return {d for country in data["countries"] for d in country.get("demonyms", [])}


def gum_mentions(sentence: Sentence) -> list[tuple[int, int, str]]:
    """Mentions as (start, end_exclusive, gum_type), word indices within the sentence."""
    open_stack: dict[str, list[tuple[int, str]]] = {}
    mentions: list[tuple[int, int, str]] = []
    for i, word in enumerate(sentence.words):
        entity = next(
            (part[len("Entity=") :] for part in word.misc.split("|") if part.startswith("Entity=")),
            "",
        )
        if not entity:
            continue
        # Openers and closers interleave: "(3-person-...(4-place-...)4)" etc.
        pos = 0
        while pos < len(entity):
            opener = ENTITY_OPEN.match(entity, pos)
            closer = ENTITY_CLOSE.match(entity, pos)
            if opener:
                eid, etype = opener.group(1), opener.group(2)
                open_stack.setdefault(eid, []).append((i, etype))
                pos = opener.end()
                # skip the rest of the descriptor up to the next ( or a closing ) of this id
                while pos < len(entity) and entity[pos] not in "()":
                    pos += 1
                if pos < len(entity) and entity[pos] == ")":
                    start, etype = open_stack[eid].pop()
                    mentions.append((start, i + 1, etype))
                    pos += 1
            elif closer:
                eid = closer.group(1)
                if open_stack.get(eid):
                    start, etype = open_stack[eid].pop()
                    mentions.append((start, i + 1, etype))
                pos = closer.end()
            else:
                pos += 1
    return mentions


def mention_head(sentence: Sentence, start: int, end: int) -> int:
    for i in range(start, end):
        head = sentence.words[i].head - 1
        if head < start or head >= end:
            return i
    return start


def named_span(sentence: Sentence, start: int, end: int, etype: str) -> tuple[int, int] | None:
    words = sentence.words
    if etype == "time":
        # Dates keep the whole mention but not a leading preposition.
        while start < end and words[start].upos == "ADP":
            start += 1
        # Keep up to the head and any numbers or names after it ("2 February 2017"),
        # not post-modifiers ("50 years of limited exposure").
        head = mention_head(sentence, start, end)
        right = head + 1
        while right < end and (
            words[right].upos in {"NUM", "PROPN"}
            or (words[right].form == "," and right + 1 < end and words[right + 1].upos == "NUM")
        ):
            right += 1
        end = max(right, start + 1)
        has_anchor = any(
            w.upos in {"NUM", "PROPN"} or w.xpos in NAME_TAGS for w in words[start:end]
        )
        return (start, end) if start < end and has_anchor and end - start <= 6 else None
    head = mention_head(sentence, start, end)
    if words[head].xpos not in NAME_TAGS:
        return None
    left = head
    while left > start and (
        words[left - 1].xpos in NAME_TAGS
        or (
            words[left - 1].form.lower() in NAME_GLUE
            and left - 2 >= start
            and words[left - 2].xpos in NAME_TAGS
        )
    ):
        left -= 1
    right = head + 1
    while right < end and (
        words[right].xpos in NAME_TAGS
        or (
            words[right].form.lower() in NAME_GLUE
            and right + 1 < end
            and words[right + 1].xpos in NAME_TAGS
        )
    ):
        right += 1
    while left < right and words[left].form.lower() in NAME_GLUE:
        left += 1
    return (left, right) if left < right else None


def person_name(
    sentence: Sentence, start: int, end: int, titles: set[str]
) -> tuple[int, int] | None:
    """The name inside a person mention: the proper nouns around its head, stopping at titles,
    so "Environment Minister John Baird" gives "John Baird" and "Mr. Tedeschi" gives "Tedeschi"."""
    words = sentence.words
    head = mention_head(sentence, start, end)
    if words[head].xpos not in NAME_TAGS or words[head].form.lower() in titles:
        # GUM heads "spokesperson Julie Hahn" and "nominee Ken Cuccinelli" on the common noun,
        # with the name hanging off it as flat or appos: the name is still the entity.
        named = [
            i
            for i in range(start, end)
            if i != head
            and words[i].head - 1 == head
            and words[i].deprel.split(":")[0] in {"flat", "appos"}
            and words[i].xpos in NAME_TAGS
            and words[i].form.lower() not in titles
        ]
        if not named:
            return None
        head = named[0]
    left = head
    while (
        left > start
        and words[left - 1].xpos in NAME_TAGS
        and words[left - 1].form.lower() not in titles
    ):
        left -= 1
    right = head + 1
    while (
        right < end and words[right].xpos in NAME_TAGS and words[right].form.lower() not in titles
    ):
        right += 1
    return left, right


def sentence_entities(
    sentence: Sentence, demonyms: set[str], titles: set[str]
) -> list[tuple[int, int, str]]:
    candidates: list[tuple[int, int, str]] = []
    for start, end, etype in gum_mentions(sentence):
        label = GUM_TYPE_TO_LABEL.get(etype)
        if label is None:
            continue
        if label == "PERSON":
            span = person_name(sentence, start, end, titles)
        else:
            span = named_span(sentence, start, end, etype)
        if span is None:
            continue
        text = " ".join(w.form for w in sentence.words[span[0] : span[1]])
        if text in demonyms or (
            label == "PERSON" and span[1] - span[0] == 1 and sentence.words[span[0]].xpos == "NNPS"
        ):
            label = "NORP"
        candidates.append((span[0], span[1], label))
    # Nationality adjectives are not GUM mentions; label them from the lexicon.
    for i, word in enumerate(sentence.words):
        if word.form in demonyms and word.upos in {"ADJ", "PROPN"}:
            candidates.append((i, i + 1, "NORP"))
    chosen: list[tuple[int, int, str]] = []
    taken: set[int] = set()
    for start, end, label in sorted(candidates, key=lambda c: (-(c[1] - c[0]), c[0])):
        if any(i in taken for i in range(start, end)):
            continue
        chosen.append((start, end, label))
        taken.update(range(start, end))
    return sorted(chosen)


def to_doc(
    nlp: spacy.language.Language,
    sentences: list[Sentence],
    with_entities: bool,
    demonyms: set[str],
    titles: set[str],
) -> Doc:
    words: list[str] = []
    spaces: list[bool] = []
    heads: list[int] = []
    deps: list[str] = []
    pos: list[str] = []
    tags: list[str] = []
    lemmas: list[str] = []
    morphs: list[str] = []
    sent_starts: list[bool] = []
    ents: list[tuple[int, int, str]] = []
    for sentence in sentences:
        offset = len(words)
        for i, word in enumerate(sentence.words):
            words.append(word.form)
            spaces.append(word.space_after)
            heads.append(offset + word.head - 1 if word.head else offset + i)
            deps.append("ROOT" if word.deprel == "root" else word.deprel)
            pos.append(word.upos)
            tags.append(word.xpos)
            lemmas.append(word.lemma)
            morphs.append(word.feats)
            sent_starts.append(i == 0)
        if with_entities:
            ents.extend(
                (offset + s, offset + e, label)
                for s, e, label in sentence_entities(sentence, demonyms, titles)
            )
    doc = Doc(
        nlp.vocab,
        words=words,
        spaces=spaces,
        heads=heads,
        deps=deps,
        pos=pos,
        tags=tags,
        lemmas=lemmas,
        morphs=morphs,
        sent_starts=sent_starts,
    )
    if with_entities:
        doc.ents = [Span(doc, s, e, label=label) for s, e, label in ents]
    return doc


def chunks(sentences: list[Sentence], size: int) -> Iterator[list[Sentence]]:
    for i in range(0, len(sentences), size):
        yield sentences[i : i + size]


def convert(
    shared: Path, out: Path, lexicon: Path, titles_file: Path, own_sentences: bool = True
) -> dict[str, int]:
    nlp = spacy.blank("en")
    demonyms = load_demonyms(lexicon)
    titles = load_title_words(titles_file)
    out.mkdir(parents=True, exist_ok=True)
    ewt = shared / "data" / "ud-ewt"
    splits: dict[str, DocBin] = {
        name: DocBin(store_user_data=False)
        for name in ("train", "dev", "test", "gum-test", "gum-dev")
    }
    counts: dict[str, int] = dict.fromkeys(splits, 0)

    def add(split: str, sentences: list[Sentence], with_entities: bool) -> None:
        for chunk in chunks(sentences, SENTENCES_PER_DOC):
            doc = to_doc(nlp, chunk, with_entities, demonyms, titles)
            splits[split].add(doc)
            counts[split] += len(doc)

    for split in ("train", "dev", "test"):
        names = (ewt / "file-lists" / f"files.{split}").read_text().split()
        for name in names:
            add(split, list(read_conllu(ewt / "sources" / name)), with_entities=False)

    gum_files = sorted((shared / "data" / "gum").glob("GUM_*.conllu"))
    for path in gum_files:
        sentences = list(read_conllu(path))
        if path.stem in GUM_TEST:
            add("gum-test", sentences, with_entities=True)
        elif path.stem in GUM_DEV:
            add("gum-dev", sentences, with_entities=True)
            add("dev", sentences, with_entities=True)
        else:
            add("train", sentences, with_entities=True)

    if own_sentences:
        from own_sentences import own_docs

        for doc in own_docs(nlp):
            splits["train"].add(doc)
            counts["train"] += len(doc)

    for split, docbin in splits.items():
        docbin.to_disk(out / f"{split}.spacy")
    (out / "counts.json").write_text(json.dumps(counts, indent=2))
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    here = Path(__file__).resolve().parent
    parser.add_argument("--shared", type=Path, default=here.parent.parent / "shared")
    parser.add_argument("--out", type=Path, default=here / "corpus")
    parser.add_argument(
        "--lexicon",
        type=Path,
        default=here.parent / "src" / "watchfloor" / "data" / "geo" / "countries.yaml",
    )
    parser.add_argument(
        "--titles",
        type=Path,
        default=here.parent / "src" / "watchfloor" / "data" / "roles" / "titles.yaml",
    )
    parser.add_argument(
        "--no-own-sentences",
        action="store_true",
        help="leave out the team's own sentences (training/data/news_entities.yaml)",
    )
    args = parser.parse_args()
    counts = convert(
        args.shared, args.out, args.lexicon, args.titles, own_sentences=not args.no_own_sentences
    )
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
