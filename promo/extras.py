"""What other apps add to a submission as its participant sees it, without promo knowing them (floors point one way:
prizes registers here in its AppConfig.ready; promo never imports prizes).

A provider is a callable `(submission) -> dict`: its keys join the API's `extras` object (and the webhooks' payload,
which carry the same dict), and those it gives a label are also shown on the status page. A provider answers from
the submission and the relations it names in `select_related`, which the status page and the API join in their one
query: extras cost no query of their own, however many providers there are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from promo.models import Submission

Provider = Callable[[Submission], dict[str, Any]]


@dataclass(frozen=True)
class _Registered:
    provider: Provider
    select_related: tuple[str, ...]
    labels: dict[str, Any]
    schema: dict[str, dict[str, Any]]


_registry: dict[str, _Registered] = {}


def register(
    name: str,
    provider: Provider,
    *,
    select_related: tuple[str, ...] = (),
    labels: dict[str, Any] | None = None,
    schema: dict[str, dict[str, Any]] | None = None,
) -> None:
    """Adds (or replaces, under the same name: ready() may run twice in tests) a provider. `labels` maps a key the
    provider returns to the (lazy) label the status page shows it under; keys without a label stay API-only.
    `schema` maps each key to its OpenAPI schema (English), which the API's schema declares under `extras`."""
    _registry[name] = _Registered(provider, tuple(select_related), dict(labels or {}), dict(schema or {}))


def unregister(name: str) -> None:
    _registry.pop(name, None)


def related() -> list[str]:
    """The relations to join when loading a submission whose extras are shown."""
    return sorted({name for entry in _registry.values() for name in entry.select_related})


def schema_properties() -> dict[str, dict[str, Any]]:
    """The OpenAPI properties of the `extras` object: every key some provider declared."""
    return {key: value for entry in _registry.values() for key, value in entry.schema.items()}


def submission_extras(submission: Submission) -> dict[str, Any]:
    """Every provider's dict merged, in registration order (a key given twice: the later provider wins)."""
    merged: dict[str, Any] = {}
    for entry in _registry.values():
        merged.update(entry.provider(submission))
    return merged


def labelled_extras(submission: Submission, extras: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """What the status page shows: `[{"key", "label", "value"}]` for the keys some provider labelled."""
    extras = submission_extras(submission) if extras is None else extras
    labels = {key: label for entry in _registry.values() for key, label in entry.labels.items()}
    return [
        {"key": key, "label": labels[key], "value": value}
        for key, value in extras.items()
        if key in labels and value not in (None, "")
    ]
