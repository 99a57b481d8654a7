"""The English pipeline: watchfloor's own by default, any installed spaCy pipeline by choice.

`load()` returns one pipeline per process. `WATCHFLOOR_SPACY_MODEL` names an installed spaCy
package or a pipeline directory; without it the pipeline shipped inside this package is used,
so nothing is downloaded at install or run time.
"""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path

import spacy
from spacy.language import Language

from watchfloor.errors import PipelineNotFound
from watchfloor.nlp import lemmas  # noqa: F401  registers the packaged pipeline's own component
from watchfloor.settings import setting

ENV_VAR = "WATCHFLOOR_SPACY_MODEL"
PACKAGED_MODEL = Path(__file__).resolve().parent.parent / "models" / "en_watchfloor"

_lock = threading.Lock()


def model_location() -> str:
    """Where the pipeline comes from: the environment's choice or the packaged default."""
    return setting(ENV_VAR) or str(PACKAGED_MODEL)


def load() -> Language:
    """The process-wide pipeline. Loaded on first use; later calls return the same object."""
    with _lock:
        return _load(model_location())


@cache
def _load(location: str) -> Language:
    try:
        return spacy.load(location)
    except (OSError, ValueError) as exc:
        source = f"{ENV_VAR}={location}" if setting(ENV_VAR) else f"packaged pipeline {location}"
        raise PipelineNotFound(
            f"cannot load the spaCy pipeline from {source}: {exc}. "
            f"Set {ENV_VAR} to an installed spaCy package name or a pipeline directory, "
            "or unset it to use the pipeline shipped with watchfloor."
        ) from exc
