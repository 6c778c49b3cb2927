import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import timezone

from sessies import roles


@pytest.fixture
def library(db):
    """The real framework and script fixtures."""
    call_command("loaddata", "fixtures/kader.json", "fixtures/draaiboeken.json", verbosity=0)


def make_user(django_user_model, username, group=None, **extra):
    user = django_user_model.objects.create_user(
        username=username, password="pw", first_name=username.capitalize(), email=f"{username}@example.org", **extra
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def admin_user(db, django_user_model):
    return make_user(django_user_model, "bea", roles.ADMINS, is_staff=True)


@pytest.fixture
def facilitator(db, django_user_model):
    return make_user(django_user_model, "gijs", roles.FACILITATORS)


@pytest.fixture
def secretary(db, django_user_model):
    return make_user(django_user_model, "sanne", roles.SECRETARIES)


@pytest.fixture
def researcher(db, django_user_model):
    return make_user(django_user_model, "olga", roles.RESEARCHERS)


@pytest.fixture
def outsider(db, django_user_model):
    """A researcher on no project and on no session."""
    return make_user(django_user_model, "otto", roles.RESEARCHERS)


@pytest.fixture
def project(library, researcher):
    from kader.models import Phase, ResearchProject

    project = ResearchProject.objects.create(
        title="Vroegsignalering schulden", organisation="Gemeente Utrecht", current_phase=Phase.objects.get(number=1)
    )
    project.researchers.add(researcher)
    return project


@pytest.fixture
def session(project, facilitator, secretary):
    from draaiboeken.models import Script
    from sessies.models import Participant
    from sessies.planning import create_session

    return create_session(
        script=Script.objects.get(slug="gesprekstafel-1-start"),
        project=project,
        title="Gesprekstafel 1 – Vroegsignalering",
        starts_at=timezone.now(),
        place="Stadskantoor, zaal 3",
        facilitator=facilitator,
        secretary=secretary,
        participants=[
            Participant(name="Petra Professional", email="petra@example.org", role="professional"),
            Participant(name="Bram Beleid", email="bram@example.org", role="beleid"),
            Participant(name="Carla Cliënt", role="client"),
        ],
    )


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # PBKDF2 is deliberately slow; the tests create several users each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
