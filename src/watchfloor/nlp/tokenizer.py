"""Tokenizer rules that match the treebanks the pipeline is trained on.

spaCy's English tokenizer cuts "!!!" into three tokens and "e-mail" into three, where UD English
writes one. The rules live in `data/nlp/tokenizer.yaml`; `apply_rules` layers them over the
defaults, and the `watchfloor.tokenizer_rules.v1` callback does so before a pipeline is
initialized for training. The tokenizer is saved with its rules, so the packaged pipeline loads
without this module.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path
from typing import Any

import spacy
from spacy.lang.char_classes import ALPHA
from spacy.language import Language
from spacy.tokenizer import Tokenizer
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

from watchfloor.datafiles import check_data, read_yaml
from watchfloor.schemas import TokenizerFile

RULES_FILE = Path(str(files("watchfloor") / "data" / "nlp" / "tokenizer.yaml"))
# The English default that splits a word at a hyphen between letters.
_HYPHEN_INFIX_MARK = f"(?=[{ALPHA}])"


def load_rules(path: Path = RULES_FILE) -> dict[str, list[str]]:
    data: dict[str, Any] = read_yaml(path) or {}
    check_data(data, TokenizerFile, path)
    return {
        "punctuation_runs": [str(p) for p in data.get("punctuation_runs", [])],
        "hyphen_prefixes": [str(p).lower() for p in data.get("hyphen_prefixes", [])],
    }


def hyphen_guard(prefixes: list[str]) -> str:
    """Negative lookbehinds, one per prefix, that stop a hyphen split right after it."""
    return "".join(f"(?<!\\b(?i:{re.escape(prefix)}))" for prefix in prefixes)


def apply_rules(nlp: Language, path: Path = RULES_FILE) -> Language:
    rules = load_rules(path)
    runs = rules["punctuation_runs"]
    tokenizer = nlp.tokenizer
    if not isinstance(tokenizer, Tokenizer):
        raise TypeError(f"{nlp.meta.get('name')}: rules apply to spaCy's rule-based tokenizer only")
    defaults = nlp.Defaults
    # Prefixes are tried in order, so the runs go first; suffixes match leftmost anyway.
    tokenizer.prefix_search = compile_prefix_regex([*runs, *(defaults.prefixes or [])]).search
    tokenizer.suffix_search = compile_suffix_regex([*runs, *(defaults.suffixes or [])]).search
    guard = hyphen_guard(rules["hyphen_prefixes"])
    infixes = []
    for pattern in defaults.infixes or []:
        text = str(pattern)
        if guard and text.endswith(_HYPHEN_INFIX_MARK) and "(?:" in text:
            position = text.index("(?:")
            text = text[:position] + guard + text[position:]
        infixes.append(text)
    tokenizer.infix_finditer = compile_infix_regex(infixes).finditer
    return nlp


@spacy.registry.callbacks("watchfloor.tokenizer_rules.v1")
def tokenizer_rules_callback() -> Callable[[Language], Language]:
    return apply_rules
