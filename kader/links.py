"""Pages of other apps that belong with a framework phase, registered by those apps.

The framework names no higher app: the script library registers its scripts for a phase
here (draaiboeken.apps), so the phase page can point to its Gesprekstafel (source 002's
cross-references) while kader stays at the bottom of the app direction.
"""

from dataclasses import dataclass

_providers = []


@dataclass(frozen=True)
class PhaseLink:
    title: str
    url: str


def register_phase_links(provider):
    """`provider(phase)` returns PhaseLinks for that phase."""
    if provider not in _providers:
        _providers.append(provider)


def phase_links(phase):
    return [link for provider in _providers for link in provider(phase)]
