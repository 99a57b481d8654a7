"""One way to read a YAML data or configuration file: `load_yaml(path, Model)`.

Every YAML file under `data/` has a pydantic schema next to the code that reads it
(`tests/test_datafiles.py` loads each shipped file through its schema). A file that cannot be
read, is not YAML, or does not fit its schema raises one `ConfigError` (or the stage's own leaf
of it) naming the file, the field and the problem:

    data/assess/assessment.yaml: trend.rise: Input should be a valid number

The stages turn the validated model into their own frozen records; the schema is the one place
that says what a file may hold.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from watchfloor.errors import ConfigError, InputError, WatchfloorError

DATA_DIR = Path(__file__).resolve().parent / "data"

Model = TypeVar("Model", bound=BaseModel)
# The error to raise, given the whole "file: problem. Fix." message: a leaf class of the tree,
# or `as_input_error` for readers whose callers expect an InputError.
ErrorFactory = Callable[[str], WatchfloorError]


class DatesAsText(yaml.SafeLoader):
    """Safe YAML that leaves dates as text, so a schema's own check gives the message for
    "2019-13-40" rather than the YAML reader failing on it."""


DatesAsText.yaml_implicit_resolvers = {
    first: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class Schema(BaseModel):
    """Base of the data-file schemas: values are checked as given (no silent str -> list)."""

    # Keys a schema does not name are ignored, as the hand-written readers before it did, so a
    # deployment's file with a note or a newer key keeps loading.
    model_config = ConfigDict(extra="ignore", frozen=True)


def read_yaml(
    path: Path,
    *,
    error: ErrorFactory = ConfigError,
    loader: type[yaml.SafeLoader] = yaml.SafeLoader,
    hint: str = "",
) -> Any:
    """The parsed contents of `path` (None for an empty file). `hint` says what to do when the
    file cannot be read (for example which variable names it); `error` is the stage's own leaf
    of the error tree, ConfigError unless the stage has one."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise error(f"{path}: cannot read the file ({reason}). {hint or 'Fix the path.'}") from exc
    return parse_yaml(text, path, error=error, loader=loader)


def parse_yaml(
    text: str,
    path: Path | str,
    *,
    error: ErrorFactory = ConfigError,
    loader: type[yaml.SafeLoader] = yaml.SafeLoader,
) -> Any:
    """`text` (already read from `path`, e.g. by a reader that also takes CSV) parsed as YAML."""
    try:
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        raise error(f"{path}: not valid YAML ({_one_line(exc)}). Fix the file.") from exc


def as_input_error(message: str) -> InputError:
    """An InputError from a "file: problem" message, for readers of input files (not config)."""
    source, _, problem = message.partition(": ")
    return InputError(source, problem)


def check_data(
    data: Any, model: type[Model], path: Path | str, *, error: ErrorFactory = ConfigError
) -> Model:
    """`data` (already read from `path`) validated against `model`."""
    try:
        return model.model_validate({} if data is None else data)
    except ValidationError as exc:
        raise error(describe(exc, path)) from exc


def load_yaml(
    path: Path,
    model: type[Model],
    *,
    error: ErrorFactory = ConfigError,
    hint: str = "",
) -> Model:
    """The file at `path`, read and validated against `model`."""
    return check_data(read_yaml(path, error=error, hint=hint), model, path, error=error)


def describe(exc: ValidationError, path: Path | str) -> str:
    """ "file: path.to.field: problem", one line per problem, and what to do."""
    lines = []
    for problem in exc.errors(include_url=False):
        where = ".".join(str(part) for part in problem["loc"]) or "(top level)"
        lines.append(f"{path}: {where}: {problem['msg']}")
    return "; ".join(lines) + ". Fix the file."


def _one_line(exc: yaml.YAMLError) -> str:
    return " ".join(str(exc).split())
