"""Where the rules live: model predicates, one access contract, one way per small mechanic.

Pages only show what these decide; the last tests keep templates and views from deciding again.
"""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from draaiboeken.models import Step, StepKind, outline
from sessies import harvest, roles, timeline
from sessies.forms import NoteForm
from sessies.models import NOTE_MAX_LENGTH, Delivery, DeliveryStatus, NoteTag, Session, SessionState
from sessies.reports import unique_recipients

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

ROOT = Path(__file__).resolve().parents[2]


def set_state(session, state):
    Session.objects.filter(pk=session.pk).update(state=state)
    session.refresh_from_db()
    return session


# Session predicates


@pytest.mark.parametrize(
    ("state", "planned", "running", "paused", "live", "finished"),
    [
        (SessionState.PLANNED, True, False, False, False, False),
        (SessionState.RUNNING, False, True, False, True, False),
        (SessionState.PAUSED, False, False, True, True, False),
        (SessionState.FINISHED, False, False, False, False, True),
    ],
)
def test_it_names_each_state_by_a_predicate(session, state, planned, running, paused, live, finished):
    set_state(session, state)
    assert (session.is_planned, session.is_running, session.is_paused, session.is_live, session.is_finished) == (
        planned,
        running,
        paused,
        live,
        finished,
    )


@pytest.mark.parametrize("state", SessionState.values)
def test_it_adjusts_blocks_exactly_when_the_session_says_it_may(session, state):
    set_state(session, state)
    block = session.blocks.order_by("order").first()
    change = {block.pk: {"minutes": block.minutes + 1, "skipped": False, "order": block.order}}

    if session.can_adjust_blocks:
        timeline.adjust_blocks(session.pk, session.timeline_version, change)
        block.refresh_from_db()
        assert state == SessionState.PLANNED and block.minutes == block.original_minutes + 1
    else:
        with pytest.raises(timeline.TransitionRefused, match="before the session starts"):
            timeline.adjust_blocks(session.pk, session.timeline_version, change)
        assert state != SessionState.PLANNED


def test_it_finds_the_current_block_among_loaded_blocks_without_a_query(running, django_assert_num_queries):
    blocks = list(running.blocks.all())
    with django_assert_num_queries(0):
        current = running.current_block_in(blocks)
    assert current.pk == running.current_block_id == blocks[0].pk


def test_it_has_no_current_block_before_the_start(session):
    assert session.current_block_in(list(session.blocks.all())) is None


@pytest.mark.parametrize(
    ("status", "failed", "sent"),
    [(DeliveryStatus.PENDING, False, False), (DeliveryStatus.SENT, False, True), (DeliveryStatus.FAILED, True, False)],
)
def test_it_names_a_delivery_status_by_a_predicate(status, failed, sent):
    delivery = Delivery(status=status)
    assert (delivery.is_failed, delivery.is_sent) == (failed, sent)


# One version bump


def test_it_bumps_only_the_version_for_a_harvest_change(session):
    Session.objects.bump(session.pk)
    fresh = Session.objects.get(pk=session.pk)
    assert (fresh.version, fresh.timeline_version) == (session.version + 1, session.timeline_version)


def test_it_bumps_both_versions_for_a_timeline_move(session):
    Session.objects.bump(session.pk, timeline=True)
    fresh = Session.objects.get(pk=session.pk)
    assert (fresh.version, fresh.timeline_version) == (session.version + 1, session.timeline_version + 1)


def test_it_reads_the_bumped_version_back_onto_the_instance(session):
    before = session.version
    session.bump_version()
    assert session.version == before + 1 == Session.objects.get(pk=session.pk).version


def test_a_transition_bumps_each_version_once(session):
    started = timeline.start(session.pk, session.timeline_version)
    assert (started.version, started.timeline_version) == (session.version + 1, session.timeline_version + 1)
    fresh = Session.objects.get(pk=session.pk)
    assert (fresh.version, fresh.timeline_version, fresh.state) == (
        started.version,
        started.timeline_version,
        SessionState.RUNNING,
    )


def test_a_note_bumps_the_version_but_not_the_timeline(running, secretary):
    harvest.add_note(
        running, block_id=running.current_block_id, text="Eerder meedenken", tag=NoteTag.HARVEST, author=secretary
    )
    fresh = Session.objects.get(pk=running.pk)
    assert (fresh.version, fresh.timeline_version) == (running.version + 1, running.timeline_version)


def test_a_refused_transition_changes_nothing(running):
    with pytest.raises(timeline.TransitionRefused, match="already running"):
        timeline.resume(running.pk, running.timeline_version)
    fresh = Session.objects.get(pk=running.pk)
    assert (fresh.version, fresh.timeline_version, fresh.state) == (
        running.version,
        running.timeline_version,
        SessionState.RUNNING,
    )


# One split of central and help questions


def test_it_orders_steps_and_tells_questions_help_questions_and_sub_points_apart():
    question, kind = StepKind.QUESTION, StepKind.INSTRUCTION
    intro = Step(pk=1, order=1, kind=kind, text="Eerst plenair.")
    first = Step(pk=2, order=2, kind=question, text="Wat werkt?")
    help_first = Step(pk=3, order=2, parent_id=2, kind=question, text="Een voorbeeld?")
    ending = Step(pk=4, order=1, parent_id=2, kind=kind, text="…in de wijk.")
    group = Step(pk=5, order=3, kind=StepKind.GROUP, text="In subgroepen over deze vragen:")
    in_group = Step(pk=6, order=1, parent_id=5, kind=question, text="Wat knelt?")
    also_in_group = Step(pk=7, order=2, parent_id=5, kind=question, text="Wie merkt het?")
    closing = Step(pk=8, order=4, kind=kind, text="Plenaire bespreking.")

    steps = outline([closing, also_in_group, help_first, group, first, in_group, ending, intro])

    assert list(steps) == [
        (intro, []),
        (first, [ending, help_first]),
        (group, [in_group, also_in_group]),
        (closing, []),
    ]
    assert steps.questions() == [(first, [help_first]), (in_group, []), (also_in_group, [])]
    assert steps.main_questions() == [first, in_group, also_in_group]
    assert steps.picker() == [(first, False), (help_first, True), (in_group, False), (also_in_group, False)]


def test_a_session_block_copies_its_script_blocks_steps_in_order(session):
    for block in session.blocks.prefetch_related("steps"):
        copied = list(block.outline)
        original = list(outline(block.source_block.steps.all()))
        assert [(s.kind, s.text, [c.text for c in subs]) for s, subs in copied] == [
            (s.kind, s.text, [c.text for c in subs]) for s, subs in original
        ]
        assert copied


# One e-mail de-duplication


def test_it_keeps_each_address_once_whatever_its_case_and_drops_empty_ones():
    people = [
        ("Petra", "petra@example.org"),
        ("", ""),
        ("P. Professional", "Petra@Example.org"),
        ("Bram", "bram@example.org"),
    ]
    assert unique_recipients(people) == [("Petra", "petra@example.org"), ("Bram", "bram@example.org")]


# Roles


def test_facilitators_and_secretaries_share_the_harvest_permissions():
    facilitator, secretary = roles.ROLE_PERMISSIONS[roles.FACILITATORS], roles.ROLE_PERMISSIONS[roles.SECRETARIES]
    assert set(roles.HARVEST_WRITE) <= set(facilitator) & set(secretary)
    assert not set(roles.HARVEST_WRITE) & set(roles.ROLE_PERMISSIONS[roles.RESEARCHERS])


# Limits and defaults come from code


def test_the_run_view_offers_the_extension_the_timeline_applies(client, running, facilitator, monkeypatch):
    monkeypatch.setattr(timeline, "EXTENSION_MINUTES", 7)
    client.force_login(facilitator)
    content = client.get(reverse("sessions:run", args=[running.pk])).content.decode()
    assert "Extend by 7 minutes" in content
    assert "Extend by 5 minutes" not in content


def test_the_note_field_carries_the_forms_limit_and_default_tag(client, running, secretary):
    client.force_login(secretary)
    content = client.get(reverse("sessions:notes", args=[running.pk])).content.decode()
    textarea = re.search(r'<textarea id="note-text"[^>]*>', content).group(0)
    assert f'maxlength="{NOTE_MAX_LENGTH}"' in textarea
    checked = re.findall(r'<input type="radio"[^>]*name="tag"[^>]*value="([^"]+)" checked>', content)
    assert checked == [NoteForm.base_fields["tag"].initial]


def test_the_note_help_lists_the_prefixes_the_parser_knows(client, running, secretary):
    client.force_login(secretary)
    content = client.get(reverse("sessions:notes", args=[running.pk])).content.decode()
    help_text = re.search(r'<p id="note-help"[^>]*>(.*?)</p>', content, re.S).group(1)
    for prefix, tag in harvest.TAG_PREFIXES.items():
        assert f"“{prefix}:” {tag.label}" in help_text
        assert harvest.parse_prefix(f"{prefix}: tekst", NoteTag.OTHER)[1] == tag
    assert f"“{harvest.KEY_MARK}” key harvest" in help_text


# Who may plan


def test_it_offers_planning_on_the_project_page_only_to_who_may_plan(client, project, researcher, secretary):
    from django.contrib.auth.models import Permission

    secretary.user_permissions.add(Permission.objects.get(codename="view_all_projects"))
    plan = reverse("sessions:create")
    client.force_login(researcher)
    assert plan in client.get(reverse("projects:detail", args=[project.pk])).content.decode()
    client.force_login(secretary)
    response = client.get(reverse("projects:detail", args=[project.pk]))
    assert response.status_code == 200
    assert plan not in response.content.decode()


def test_it_refuses_planning_to_a_secretary(client, library, secretary):
    client.force_login(secretary)
    assert client.get(reverse("sessions:create")).status_code == 403


# Nothing decided twice: pages show, the models and access modules decide


STORED_VALUES = "|".join(
    sorted(set(SessionState.values) | set(DeliveryStatus.values) | set(NoteTag.values), key=len, reverse=True)
)


def template_files():
    return [p for p in ROOT.glob("*/templates/**/*.html") if ".venv" not in p.parts] + list(
        (ROOT / "templates").glob("**/*.html")
    )


def test_no_template_compares_a_stored_value():
    comparison = re.compile(rf"""(==|!=)\s*["']({STORED_VALUES})["']|["']({STORED_VALUES})["']\s*(==|!=)""")
    offenders = [
        f"{p.relative_to(ROOT)}: {m.group(0)}" for p in template_files() for m in comparison.finditer(p.read_text())
    ]
    assert offenders == []


def test_no_template_or_view_checks_a_permission_itself():
    offenders = [str(p.relative_to(ROOT)) for p in template_files() if re.search(r"\bperms\.", p.read_text())]
    views = [*ROOT.glob("*/views.py"), *ROOT.glob("*/views/*.py")]
    offenders += [
        str(p.relative_to(ROOT))
        for p in views
        if ".venv" not in p.parts and re.search(r"has_perm|permission_required", p.read_text())
    ]
    assert offenders == []
