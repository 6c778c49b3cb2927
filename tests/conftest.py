import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from sessies import roles
from tests.factories import ResearchProjectFactory, SessionFactory, table_participants

# The header htmx sends with its requests; views answer those with partials.
HTMX = {"HX-Request": "true"}


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """SQLite tests run on a file, not in memory: the ASGI test server (tests/e2e) serves streams
    and views from several threads, each with its own connection, as in `make run`."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("db") / "test.sqlite3")


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
    return ResearchProjectFactory(researchers=[researcher])


@pytest.fixture
def session(project, facilitator, secretary):
    """A planned Gesprekstafel 1 with three participants."""
    return SessionFactory(
        project=project,
        place="Stadskantoor, zaal 3",
        facilitator=facilitator,
        secretary=secretary,
        participants=table_participants(),
    )


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # PBKDF2 is deliberately slow; the tests create several users each.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def run_mail_worker():
    """Run the real django-tasks-db worker in this process until the queue is empty (`db_worker --batch`).

    The worker installs its own signal handlers; they are put back so Ctrl-C keeps stopping pytest.
    Between tasks it drops database connections that are not in autocommit mode, which inside a
    test's transaction would be the test's own connection; that check is left out here.
    """
    import signal
    from unittest import mock

    def run():
        signals = [signal.SIGINT, signal.SIGTERM, signal.SIGQUIT]
        saved = {number: signal.getsignal(number) for number in signals}
        try:
            with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
                call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval=0", verbosity=0)
        finally:
            for number, handler in saved.items():
                signal.signal(number, handler)

    return run
