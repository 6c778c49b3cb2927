"""Upgrading a database from projects with researchers to projects with members loses nobody."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from kader.models import Membership, ProjectRole, ResearchProject

BEFORE = [("kader", "0001_initial")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_every_researcher_becomes_a_member_in_the_role_researcher():
    apps = migrate(BEFORE)
    User = apps.get_model("auth", "User")
    phase = apps.get_model("kader", "Phase").objects.create(number=1, name="De start")
    OldProject = apps.get_model("kader", "ResearchProject")
    olga, ruud = User.objects.create(username="olga"), User.objects.create(username="ruud")
    both = OldProject.objects.create(title="Samen", current_phase=phase)
    both.researchers.add(olga, ruud)
    alone = OldProject.objects.create(title="Alleen", current_phase=phase)
    alone.researchers.add(ruud)
    OldProject.objects.create(title="Niemand", current_phase=phase)

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    rows = set(Membership.objects.values_list("project__title", "user__username", "role"))
    assert rows == {
        ("Samen", "olga", ProjectRole.RESEARCHER),
        ("Samen", "ruud", ProjectRole.RESEARCHER),
        ("Alleen", "ruud", ProjectRole.RESEARCHER),
    }
    assert set(ResearchProject.objects.get(title="Samen").members.values_list("username", flat=True)) == {
        "olga",
        "ruud",
    }
