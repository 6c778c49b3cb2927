"""What the project's sessions yielded per attention point, supplied by the apps that hold it.

The framework names no higher app: the sessions app registers a provider here (sessies.apps)
that finds the notes linked to attention points, so the project page and the checklist show
the harvest beside each point (source 000: the outputs "worden meegenomen en meegewogen in het
vervolg van het onderzoeksproces") while kader stays at the bottom of the app direction.
"""

from dataclasses import dataclass
from datetime import datetime

_providers = []


@dataclass(frozen=True)
class Evidence:
    """One note bearing on an attention point, as plain values (no model of a higher app)."""

    text: str
    is_key: bool
    tag_label: str
    session_title: str
    session_date: datetime
    report_url: str


def register_evidence_provider(provider):
    """`provider(project=, points=, user=)` returns {attention point id: [Evidence, …]}.

    A provider shows `user` only what they may see, and answers in a number of queries that
    does not grow with its rows: the pages list every point at once.
    """
    if provider not in _providers:
        _providers.append(provider)


def evidence_for(project, points, *, user):
    """{attention point id: [Evidence, …]} for `points` of `project`, as `user` may see it.

    The caller has checked that `user` may see the project. Key harvest comes first per point.
    """
    points = list(points)
    found = {}
    if not points:
        return found
    for provider in _providers:
        for point_id, items in provider(project=project, points=points, user=user).items():
            found.setdefault(point_id, []).extend(items)
    for items in found.values():
        # Stable: each provider's own order (newest session first) stays within the key and the rest.
        items.sort(key=lambda item: not item.is_key)
    return found
