"""factory-boy factories for the objects the tests build over and over.

A session is made through `sessies.planning.create_session`, so it carries the script's snapshot
exactly as a planned session does. Notes have no factory on purpose: a test about a note calls
`harvest.add_note` (version bump, the "* " key marker), and one that needs many uses the
`add_notes` fixture in tests/sessies/conftest.py (one bulk insert).
"""

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from draaiboeken.models import Script, StepKind
from kader.models import Membership, Phase, ProjectRole, ResearchProject
from sessies.models import Participant, Session, SessionBlock, SessionStep
from sessies.planning import create_session


class ResearchProjectFactory(DjangoModelFactory):
    """A project in a phase of the loaded framework; `researchers=[...]`, `facilitators=[...]` and
    `secretaries=[...]` add members in that project role."""

    class Meta:
        model = ResearchProject
        skip_postgeneration_save = True

    class Params:
        phase_number = 1

    title = "Vroegsignalering schulden"
    organisation = "Gemeente Utrecht"
    current_phase = factory.LazyAttribute(lambda o: Phase.objects.get(number=o.phase_number))

    @factory.post_generation
    def researchers(self, create, extracted, **kwargs):
        if create:
            add_members(self, extracted, ProjectRole.RESEARCHER)

    @factory.post_generation
    def facilitators(self, create, extracted, **kwargs):
        if create:
            add_members(self, extracted, ProjectRole.FACILITATOR)

    @factory.post_generation
    def secretaries(self, create, extracted, **kwargs):
        if create:
            add_members(self, extracted, ProjectRole.SECRETARY)


def add_members(project, users, role):
    for user in users or ():
        Membership.objects.create(project=project, user=user, role=role)


def table_participants():
    """The three participants of the usual table (unsaved; `create_session` saves them)."""
    return [
        Participant(name="Petra Professional", email="petra@example.org", role="professional"),
        Participant(name="Bram Beleid", email="bram@example.org", role="beleid"),
        Participant(name="Carla Cliënt", role="client"),
    ]


class SessionFactory(DjangoModelFactory):
    """A planned session copied from a script of the loaded library (`script_slug=` picks another)."""

    class Meta:
        model = Session

    class Params:
        script_slug = "gesprekstafel-1-start"

    script = factory.LazyAttribute(lambda o: Script.objects.get(slug=o.script_slug))
    project = factory.SubFactory(ResearchProjectFactory)
    title = "Gesprekstafel 1 – Vroegsignalering"
    starts_at = factory.LazyFunction(timezone.now)
    place = ""

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # The snapshot of blocks and questions is the point of a session; the domain function makes it.
        return create_session(**kwargs)


class SessionBlockFactory(DjangoModelFactory):
    """An extra block appended to a session, with one central question unless `questions=0`."""

    class Meta:
        model = SessionBlock
        skip_postgeneration_save = True

    session = factory.SubFactory(SessionFactory)
    order = factory.LazyAttribute(
        lambda o: (o.session.blocks.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    )
    title = factory.Sequence(lambda n: f"Extra ronde {n}")
    original_minutes = 10
    minutes = 10
    min_minutes = 5

    @factory.post_generation
    def questions(self, create, extracted, **kwargs):
        if create:
            for index in range(1 if extracted is None else extracted):
                SessionStep.objects.create(
                    block=self, order=index, kind=StepKind.QUESTION, text=f"Vraag bij {self.title}"
                )
