"""The errors watchfloor raises on purpose. Each message names the input and what to do.

Every error is a `WatchfloorError`, in one of five families by what the user must fix; the CLI
turns any of them into one line and a non-zero exit. Each class stays importable from the module
that raises it.

    WatchfloorError
    ├── BadInput               what was handed in: a document, a value, a name, a query
    │   ├── InputError             a document or file cannot be read (ingest)
    │   ├── NonPublicAddress       a URL to a non-public host (ingest.guard)
    │   ├── StoreInputError        a value the store cannot keep (store.repository)
    │   ├── SearchError            a query the full-text index cannot run (store.repository)
    │   ├── AssessInputError       an override or lookup naming nothing (assess.service)
    │   ├── CaseError              no such case, or a move its state forbids (warn.cases)
    │   ├── AckError               a token that matches no notice (warn.acks)
    │   ├── MarkingError           a marking that cannot be parsed (publish.markings)
    │   ├── ReviewError            a review that cannot be built as asked (publish.review)
    │   ├── SourceError            an unknown source or bad marking (publish.sources)
    │   ├── ReaderError            a reader's values, or no such reader (publish.readers)
    │   └── StixInputError         a STIX bundle that cannot be imported whole (share)
    ├── ConfigError            a configuration or data file, or the spaCy pipeline
    │   ├── PipelineNotFound       the configured pipeline cannot be loaded
    │   ├── WatchlistError         a watchlist file (link.watchlist)
    │   ├── FeedConfigError        the feed config (ingest.feeds)
    │   ├── WarnConfigError        case policy or delivery config (warn.config)
    │   ├── AccessPolicyError      the access policy file (publish.access)
    │   ├── VocabularyError        a markings data file (publish.vocabulary)
    │   └── ShareConfigError       the sharing config (share.config)
    ├── StoreError             the store cannot be opened, is not initialised, or is newer
    ├── PolicyError            a rule refuses the act: who may do it, what may be disclosed
    │   ├── PermissionDenied       the acting person may not do this (warn.users)
    │   │   └── CodeRefused        a one-time code wrong or used before (api.twofactor)
    │   ├── DraftError             a notice would disclose too much (warn.drafting)
    │   └── WebhookRejected        a webhook request that must not be trusted (warn.webhooks)
    └── DeliveryError          one attempt to deliver a notice failed; the outbox retries it
        └── PushError              a push of threads to a webhook failed (share.push)
"""

from __future__ import annotations


class WatchfloorError(Exception):
    """Base class: anything a user can fix by changing their input or configuration."""


# --- the five families -----------------------------------------------------------------------


class BadInput(WatchfloorError):
    """Something handed in (a document, a value, a name, a query) cannot be used as it is."""


class ConfigError(WatchfloorError):
    """A configuration file is missing or invalid; the message names the file and the field."""


class StoreError(WatchfloorError):
    """The store cannot be opened, is not initialised, or is newer than this code."""


class PolicyError(WatchfloorError):
    """A rule refuses the act: the actor may not do it, or it would disclose too much."""


class DeliveryError(WatchfloorError):
    """One attempt to deliver a notice failed; the outbox retries it."""


# --- input -------------------------------------------------------------------------------------


class InputError(BadInput):
    """A document or file cannot be read: missing, binary, empty, too large, undecodable."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem


class NonPublicAddress(BadInput):
    """A URL whose host is loopback, private, link-local or otherwise not public."""


class StoreInputError(BadInput):
    """A value handed to the store is invalid (unknown source kind, bad reliability grade)."""


class SearchError(BadInput):
    """A search query the full-text index cannot run."""


class AssessInputError(BadInput):
    """An override or a lookup names something that does not exist or a value out of range."""


class CaseError(BadInput):
    """A case that does not exist, or a move its state does not allow."""


class AckError(BadInput):
    """A token that matches no notice."""


class MarkingError(BadInput):
    """A marking that cannot be parsed, or one whose parts contradict each other."""

    def __init__(self, marking: str, problem: str) -> None:
        super().__init__(f"marking '{marking}': {problem}")
        self.marking = marking
        self.problem = problem


class ReviewError(BadInput):
    """A review cannot be built, added to or rendered as asked; the message says why."""


class SourceError(BadInput):
    """A source command names an unknown source or an invalid marking."""


class ReaderError(BadInput):
    """A reader's values are invalid, or the reader does not exist / already exists."""


class StixInputError(BadInput):
    """A STIX bundle that cannot be imported whole: invalid, too large, an unknown marking, a
    reference to an object it lacks. Nothing of it is imported."""


# --- configuration -----------------------------------------------------------------------------


class PipelineNotFound(ConfigError):
    """The configured spaCy pipeline cannot be loaded."""


class WatchlistError(ConfigError):
    """A watchlist file is invalid; the message names the file, the entry and the field."""


class FeedConfigError(ConfigError):
    """The feed config is invalid; the message names the file, the entry and the field."""


class WarnConfigError(ConfigError):
    """A case policy or delivery configuration is invalid."""


class AccessPolicyError(ConfigError):
    """The access policy file is unreadable or malformed."""


class VocabularyError(ConfigError):
    """A markings data file is missing a field or contradicts itself."""


class ShareConfigError(ConfigError):
    """The sharing config (recipients, import limit, push targets) is invalid."""


# --- policy ------------------------------------------------------------------------------------


class PermissionDenied(PolicyError):
    """The acting person may not do this."""


class CodeRefused(PermissionDenied):
    """A TOTP code that is wrong or used before, or an account locked for a while."""


class DraftError(PolicyError):
    """A notice text that would disclose what its recipient may not see."""


class WebhookRejected(PolicyError):
    """A webhook request that must not be trusted."""


class PushError(DeliveryError):
    """Publishing changed threads to a webhook failed."""
