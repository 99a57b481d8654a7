"""The errors watchfloor raises on purpose. Each message names the input and what to do."""

from __future__ import annotations


class WatchfloorError(Exception):
    """Base class: anything a user can fix by changing their input or configuration."""


class PipelineNotFound(WatchfloorError):
    """The configured spaCy pipeline cannot be loaded."""


class InputError(WatchfloorError):
    """A document or file cannot be read: missing, binary, empty, too large, undecodable."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem


class WatchlistError(WatchfloorError):
    """A watchlist file is invalid; the message names the file, the entry and the field."""


class ConfigError(WatchfloorError):
    """A configuration file is missing or invalid; the message names the file and the field."""
