"""Measure a pipeline on held-out data: the numbers quoted in docs/pipeline.md.

    python training/evaluate.py [--model PATH_OR_PACKAGE] [--format json]

Prints UPOS accuracy, UAS and LAS on the UD English-EWT test split, entity precision / recall /
F1 per label on the held-out GUM documents (news and interview genres, plus all held-out
genres), and words per second on one CPU core. The GUM held-out documents are listed in
training/convert.py (GUM_TEST) and are never trained on.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent

# One core, as the goal in the issue is stated per core; set before numpy/thinc import.
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

import spacy  # noqa: E402
from spacy.language import Language  # noqa: E402
from spacy.scorer import Scorer  # noqa: E402
from spacy.tokens import Doc, DocBin  # noqa: E402
from spacy.training import Example  # noqa: E402

sys.path.insert(0, str(HERE))
from convert import GUM_TEST, convert  # noqa: E402

FOCUS_LABELS = ("PERSON", "ORG", "GPE")


def examples(nlp: Language, docs: list[Doc]) -> list[Example]:
    # Predictions start from raw text, so tokenization errors count against the scores.
    return [Example(nlp.make_doc(gold.text), gold) for gold in docs]


def load_split(nlp: Language, path: Path) -> list[Doc]:
    return list(DocBin().from_disk(path).get_docs(nlp.vocab))


def gum_docs_of_genres(
    nlp: Language, corpus: Path, shared: Path, genres: tuple[str, ...]
) -> list[Doc]:
    """Held-out GUM documents of the given genres, converted on the fly."""
    from convert import load_demonyms, load_title_words, read_conllu, to_doc

    lexicon = REPO / "src" / "watchfloor" / "data" / "geo" / "countries.yaml"
    titles = REPO / "src" / "watchfloor" / "data" / "roles" / "titles.yaml"
    demonyms, title_words = load_demonyms(lexicon), load_title_words(titles)
    docs = []
    for name in GUM_TEST:
        if name.split("_")[1] not in genres:
            continue
        sentences = list(read_conllu(shared / "data" / "gum" / f"{name}.conllu"))
        for i in range(0, len(sentences), 10):
            docs.append(to_doc(nlp, sentences[i : i + 10], True, demonyms, title_words))
    return docs


def entity_scores(nlp: Language, docs: list[Doc]) -> dict[str, object]:
    # Predict once; the scorer and the pooled focus labels below both read these docs.
    predicted = list(nlp.pipe(gold.text for gold in docs))
    scores = Scorer(nlp).score(
        [Example(pred, gold) for pred, gold in zip(predicted, docs, strict=True)]
    )
    per_type = scores.get("ents_per_type") or {}
    # The scorer reports per-label P/R/F but not counts, so pool the focus labels here.
    focus_tp = focus_pred = focus_gold = 0.0
    for pred, gold in zip(predicted, docs, strict=True):
        gold_set = {
            (e.start_char, e.end_char, e.label_) for e in gold.ents if e.label_ in FOCUS_LABELS
        }
        pred_set = {
            (e.start_char, e.end_char, e.label_) for e in pred.ents if e.label_ in FOCUS_LABELS
        }
        focus_tp += len(gold_set & pred_set)
        focus_pred += len(pred_set)
        focus_gold += len(gold_set)
    p = focus_tp / focus_pred if focus_pred else 0.0
    r = focus_tp / focus_gold if focus_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "ents_p": scores["ents_p"],
        "ents_r": scores["ents_r"],
        "ents_f": scores["ents_f"],
        "person_org_gpe": {"p": p, "r": r, "f": f, "gold": int(focus_gold)},
        "per_type": per_type,
    }


def words_per_second(nlp: Language, texts: list[str], repeats: int = 2) -> float:
    nlp(texts[0])  # warm up
    best = 0.0
    for _ in range(repeats):
        words = 0
        start = time.perf_counter()
        for doc in nlp.pipe(texts, batch_size=64):
            words += len(doc)
        best = max(best, words / (time.perf_counter() - start))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--model", default=str(REPO / "src" / "watchfloor" / "models" / "en_watchfloor")
    )
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--corpus", type=Path, default=HERE / "corpus")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    args = parser.parse_args()

    if not (args.shared / "data").is_dir():
        sys.exit(f"error: {args.shared}/data not found; pass --shared PATH to the shared folder")
    if not (args.corpus / "test.spacy").exists():
        convert(
            args.shared,
            args.corpus,
            REPO / "src" / "watchfloor" / "data" / "geo" / "countries.yaml",
            REPO / "src" / "watchfloor" / "data" / "roles" / "titles.yaml",
        )
    nlp = spacy.load(args.model)
    test = load_split(nlp, args.corpus / "test.spacy")
    syntax = nlp.evaluate(examples(nlp, test))
    news_interview = gum_docs_of_genres(nlp, args.corpus, args.shared, ("news", "interview"))
    all_held_out = load_split(nlp, args.corpus / "gum-test.spacy")
    ents_news = entity_scores(nlp, news_interview)
    ents_all = entity_scores(nlp, all_held_out)
    texts = [doc.text for doc in test]
    wps = words_per_second(nlp, texts)
    result = {
        "model": args.model,
        "ewt_test": {
            "upos": syntax["pos_acc"],
            "uas": syntax["dep_uas"],
            "las": syntax["dep_las"],
            "lemma": syntax.get("lemma_acc"),
            "sents_f": syntax.get("sents_f"),
            "tokens": sum(len(d) for d in test),
        },
        "gum_news_interview_entities": ents_news,
        "gum_held_out_entities": ents_all,
        "words_per_second_one_core": round(wps),
    }
    if args.format == "json":
        print(json.dumps(result, indent=2))
        return
    ewt = result["ewt_test"]
    print(f"model: {args.model}")
    print(
        f"UD-EWT test ({ewt['tokens']} tokens): UPOS {ewt['upos']:.3f}  UAS {ewt['uas']:.3f}  "
        f"LAS {ewt['las']:.3f}  lemma {ewt['lemma']:.3f}  sentences F {ewt['sents_f']:.3f}"
    )
    for title, ents in (
        ("GUM held-out news+interview", ents_news),
        ("GUM held-out, all genres", ents_all),
    ):
        focus = ents["person_org_gpe"]
        print(
            f"{title}: entities "
            f"P {ents['ents_p']:.3f} R {ents['ents_r']:.3f} F {ents['ents_f']:.3f}; "
            f"PERSON/ORG/GPE P {focus['p']:.3f} R {focus['r']:.3f} F {focus['f']:.3f} "
            f"({focus['gold']} gold)"
        )
        for label, s in sorted(ents["per_type"].items()):
            print(f"    {label:<7} P {s['p']:.3f} R {s['r']:.3f} F {s['f']:.3f}")
    print(f"speed: {result['words_per_second_one_core']} words/second on one core")


if __name__ == "__main__":
    main()
