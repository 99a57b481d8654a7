"""Registers watchfloor's training callbacks for `spacy train --code training/callbacks.py`."""

import watchfloor.nlp.tokenizer  # noqa: F401  registers watchfloor.tokenizer_rules.v1
