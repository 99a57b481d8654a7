"""A lemma backoff for the trained lemmatizer.

The edit-tree lemmatizer learned on UD-EWT and GUM is right on 93% of tokens but guesses on verbs
it rarely saw ("plotting" → "plott", "stabbing" → "stabb"), and those are exactly the verbs threat
reporting is made of. This component keeps each predicted verb lemma that is a known English verb
and replaces the others with the rule-based lemma. The rule tables come from spacy-lookups-data
when the pipeline is built and are saved inside it, so loading needs nothing extra.
"""

from __future__ import annotations

from spacy.lang.en.lemmatizer import EnglishLemmatizer
from spacy.language import Language
from spacy.tokens import Doc
from spacy.vocab import Vocab

LEMMA_BACKOFF = "watchfloor_lemma_backoff"


class LemmaBackoff(EnglishLemmatizer):
    def __init__(self, vocab: Vocab, name: str, pos: list[str]) -> None:
        super().__init__(vocab, None, name=name, mode="rule", overwrite=True)
        self.pos = {p.upper() for p in pos}
        self._known: dict[str, set[str]] | None = None

    def known_lemmas(self, pos: str) -> set[str]:
        if self._known is None:
            index = self.lookups.get_table("lemma_index")
            self._known = {p: set(index.get(p.lower(), [])) for p in self.pos}
        return self._known[pos]

    def __call__(self, doc: Doc) -> Doc:
        for token in doc:
            if token.pos_ in self.pos and token.lemma_.lower() not in self.known_lemmas(token.pos_):
                token.lemma_ = self.rule_lemmatize(token)[0]
        return doc


@Language.factory(LEMMA_BACKOFF, default_config={"pos": ["VERB"]})
def make_lemma_backoff(nlp: Language, name: str, pos: list[str]) -> LemmaBackoff:
    """Replace predicted lemmas of these parts of speech that are not known English lemmas."""
    return LemmaBackoff(nlp.vocab, name, pos)
