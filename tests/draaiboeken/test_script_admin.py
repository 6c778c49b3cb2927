"""Editing the script library in Django admin, and why a past session never notices."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from draaiboeken.models import Block, Method, Script, Step, StepKind, WorkForm
from kader.models import AttentionPoint, Phase
from sessies import timeline
from sessies.models import SessionBlock, SessionStep

SLUGS = ["gesprekstafel-1-start", "gesprekstafel-2-uitvoering", "gesprekstafel-3-implementatie"]
SLUG = SLUGS[0]


def admin_url(model, action, *args):
    return reverse(f"admin:draaiboeken_{model}_{action}", args=args)


def admin_form_data(response):
    """The POST data an admin add or change page sends unchanged, inline management forms included."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if value is True:
                data[key] = "on"
            elif value is False or value is None:
                if value is None:
                    data[key] = ""
            elif isinstance(value, (list, tuple)):
                data[key] = [str(item) for item in value]
            else:
                data[key] = str(value)
    return data


def add_inline_form(data, prefix, **fields):
    """Append one filled-in form to an inline formset's POST data."""
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    data[f"{prefix}-{index}-id"] = ""
    for name, value in fields.items():
        data[f"{prefix}-{index}-{name}"] = value
    return index


def inline_index(data, prefix, pk):
    """The index of the inline form that edits the object with this pk."""
    for key, value in data.items():
        if key.startswith(f"{prefix}-") and key.endswith("-id") and value == str(pk):
            return int(key.split("-")[1])
    raise AssertionError(f"no {prefix} form for {pk}")


def form_errors(response):
    """Every error of the page's main form and its inline forms, as {prefixed field: [messages]}."""
    errors = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += inline.formset.forms
        if inline.formset.non_form_errors():
            errors[f"{inline.formset.prefix}-__all__"] = list(inline.formset.non_form_errors())
    for form in forms:
        for name, messages in form.errors.items():
            errors[form.add_prefix(name)] = list(messages)
    return errors


def script_state(script):
    """A script's blocks and steps in display order: kinds, labels, nesting and attention point links included."""
    blocks = list(
        script.blocks.order_by("order", "pk").values_list(
            "order", "title", "subtitle", "minutes", "min_minutes", "work_form", "suggested_approach", "is_protected"
        )
    )
    steps = (
        Step.objects.filter(block__script=script).select_related("block", "parent").prefetch_related("attention_points")
    )

    def position(step):
        top = step.parent or step
        return (step.block.order, top.order, top.pk, step.parent_id is not None, step.order, step.pk)

    rows = [
        (
            step.block.order,
            step.parent.order if step.parent else None,
            step.parent.text if step.parent else None,
            step.order,
            step.kind,
            step.text,
            step.label,
            step.perspective,
            step.guidance,
            step.editorial_note,
            sorted(point.pk for point in step.attention_points.all()),
        )
        for step in sorted(steps, key=position)
    ]
    return blocks, rows


def session_state(session):
    blocks = list(
        SessionBlock.objects.filter(session=session)
        .order_by("order", "pk")
        .values_list("order", "title", "minutes", "original_minutes", "min_minutes", "work_form", "suggested_approach")
    )
    steps = list(
        SessionStep.objects.filter(block__session=session)
        .order_by("block__order", "parent__order", "order", "pk")
        .values_list("block__order", "parent__text", "order", "kind", "text", "label", "perspective", "guidance")
    )
    return blocks, steps


def message(response, msgid):
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        return gettext(msgid)


@pytest.fixture
def as_admin(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def facilitator_client(facilitator):
    """A second browser, signed in as the facilitator, next to the admin's."""
    other = Client()
    other.force_login(facilitator)
    return other


@pytest.fixture
def script(library):
    return Script.objects.get(slug=SLUG)


# The script pages


@pytest.mark.django_db
def test_it_lists_the_scripts_with_their_duration(as_admin, library):
    response = as_admin.get(admin_url("script", "changelist"))

    assert response.status_code == 200
    listed = {s.slug: s.total_minutes for s in response.context["cl"].result_list}
    assert [listed[slug] for slug in SLUGS] == [150, 150, 150]


@pytest.mark.django_db
def test_it_keeps_the_duration_right_when_searching_through_blocks_and_steps(as_admin, library):
    # The search joins blocks and steps; the duration must not be summed once per match.
    response = as_admin.get(admin_url("script", "changelist"), {"q": "onderzoek"})

    assert response.status_code == 200
    listed = {s.slug: s.total_minutes for s in response.context["cl"].result_list}
    assert [listed[slug] for slug in SLUGS] == [150, 150, 150]


@pytest.mark.django_db
def test_it_shows_the_script_change_page_with_its_blocks_inline(as_admin, script):
    response = as_admin.get(admin_url("script", "change", script.pk))

    assert response.status_code == 200
    formsets = {inline.formset.prefix: inline.formset for inline in response.context["inline_admin_formsets"]}
    assert [form.instance.title for form in formsets["blocks"].forms] == [
        block.title for block in script.blocks.order_by("order")
    ]
    content = response.content.decode()
    for block in script.blocks.all():
        assert admin_url("block", "change", block.pk) in content


@pytest.mark.django_db
def test_it_adds_a_script_with_blocks_inline(as_admin, library):
    data = admin_form_data(as_admin.get(admin_url("script", "add")))
    data.update(
        method=str(Method.objects.get().pk),
        title="Gesprekstafel 2b: grote groep",
        slug="gesprekstafel-2b",
        phase=str(Phase.objects.get(number=2).pk),
        order="5",
    )
    add_inline_form(data, "blocks", order="1", title="Welkom", minutes="15", work_form=WorkForm.PLENARY)
    add_inline_form(
        data, "blocks", order="2", title="Subgroepen", minutes="45", min_minutes="30", work_form=WorkForm.SUBGROUPS
    )
    add_inline_form(
        data, "blocks", order="3", title="Terugkoppeling", minutes="20", work_form=WorkForm.PLENARY, is_protected="on"
    )

    response = as_admin.post(admin_url("script", "add"), data)

    assert response.status_code == 302, form_errors(response)
    script = Script.objects.get(slug="gesprekstafel-2b")
    assert script.phase.number == 2
    blocks = script.blocks.order_by("order").values_list("title", "minutes", "min_minutes", "work_form", "is_protected")
    assert list(blocks) == [
        ("Welkom", 15, None, WorkForm.PLENARY, False),
        ("Subgroepen", 45, 30, WorkForm.SUBGROUPS, False),
        ("Terugkoppeling", 20, None, WorkForm.PLENARY, True),
    ]
    assert script.total_minutes == 80


@pytest.mark.django_db
def test_it_refuses_a_new_script_with_a_block_of_zero_minutes(as_admin, library):
    data = admin_form_data(as_admin.get(admin_url("script", "add")))
    data.update(method=str(Method.objects.get().pk), title="Nul minuten", slug="nul-minuten")
    add_inline_form(data, "blocks", order="1", title="Welkom", minutes="15", work_form=WorkForm.PLENARY)
    add_inline_form(data, "blocks", order="2", title="Niets", minutes="0", work_form=WorkForm.PLENARY)

    response = as_admin.post(admin_url("script", "add"), data)

    assert response.status_code == 200
    assert list(form_errors(response)) == ["blocks-1-minutes"]
    assert not Script.objects.filter(slug="nul-minuten").exists()
    assert not Block.objects.filter(title="Niets").exists()


@pytest.mark.django_db
def test_it_refuses_setting_a_blocks_minutes_to_zero(as_admin, script):
    before = script_state(script)
    data = admin_form_data(as_admin.get(admin_url("script", "change", script.pk)))
    data["blocks-0-minutes"] = "0"

    response = as_admin.post(admin_url("script", "change", script.pk), data)

    assert response.status_code == 200
    assert list(form_errors(response)) == ["blocks-0-minutes"]
    assert script_state(script) == before


@pytest.mark.django_db
def test_it_refuses_a_minimum_above_the_blocks_minutes(as_admin, script):
    before = script_state(script)
    data = admin_form_data(as_admin.get(admin_url("script", "change", script.pk)))
    index = inline_index(data, "blocks", script.blocks.get(order=2).pk)
    data[f"blocks-{index}-min_minutes"] = "61"

    response = as_admin.post(admin_url("script", "change", script.pk), data)

    assert response.status_code == 200
    assert list(form_errors(response)) == [f"blocks-{index}-min_minutes"]
    assert script_state(script) == before


@pytest.mark.django_db
def test_it_reorders_blocks_by_their_order_fields(as_admin, facilitator_client, script):
    blocks = {block.order: block for block in script.blocks.all()}
    data = admin_form_data(as_admin.get(admin_url("script", "change", script.pk)))
    # The closing block goes first and the introduction last.
    data[f"blocks-{inline_index(data, 'blocks', blocks[1].pk)}-order"] = "4"
    data[f"blocks-{inline_index(data, 'blocks', blocks[4].pk)}-order"] = "1"

    response = as_admin.post(admin_url("script", "change", script.pk), data)

    assert response.status_code == 302, form_errors(response)
    assert list(script.blocks.order_by("order").values_list("pk", flat=True)) == [
        blocks[4].pk,
        blocks[2].pk,
        blocks[3].pk,
        blocks[1].pk,
    ]
    page = facilitator_client.get(reverse("scripts:script", args=[script.slug]))
    assert [(e.start_minute, e.block.pk) for e in page.context["timeline"]] == [
        (0, blocks[4].pk),
        (20, blocks[2].pk),
        (80, blocks[3].pk),
        (140, blocks[1].pk),
    ]


# The block page and its steps


@pytest.mark.django_db
def test_it_shows_the_block_change_page_with_its_steps_inline(as_admin, library):
    block = Block.objects.get(script__slug="gesprekstafel-3-implementatie", order=3)

    response = as_admin.get(admin_url("block", "change", block.pk))

    assert response.status_code == 200
    formsets = {inline.formset.prefix: inline.formset for inline in response.context["inline_admin_formsets"]}
    steps = formsets["steps"]
    assert [form.instance.pk for form in steps.forms] == list(
        block.steps.order_by("order", "pk").values_list("pk", flat=True)
    )
    # A sub-point can only hang under a top-level question or group of this block.
    expected = set(block.steps.filter(parent=None).exclude(kind=StepKind.INSTRUCTION).values_list("pk", flat=True))
    for form in steps.forms:
        assert set(form.fields["parent"].queryset.values_list("pk", flat=True)) == expected
    kinds = set(Step.objects.filter(pk__in=expected).values_list("kind", flat=True))
    assert kinds == {StepKind.QUESTION, StepKind.GROUP}
    assert not expected & set(block.steps.exclude(parent=None).values_list("pk", flat=True))
    content = response.content.decode()
    for step in block.steps.all():
        assert step.text[:40] in content


@pytest.mark.django_db
def test_it_adds_a_help_question_under_a_question_of_the_same_block(as_admin, library):
    block = Block.objects.get(script__slug=SLUG, order=2)
    parent = block.steps.get(text__startswith="De WAAROM-vraag")
    point = AttentionPoint.objects.filter(phase__number=1).first()
    data = admin_form_data(as_admin.get(admin_url("block", "change", block.pk)))
    add_inline_form(
        data,
        "steps",
        order="9",
        kind=StepKind.QUESTION,
        text="Wie heeft er baat bij?",
        perspective="onderzoeker",
        parent=str(parent.pk),
        block=str(block.pk),
        attention_points=[str(point.pk)],
    )

    response = as_admin.post(admin_url("block", "change", block.pk), data)

    assert response.status_code == 302, form_errors(response)
    help_question = Step.objects.get(text="Wie heeft er baat bij?")
    assert (help_question.block, help_question.parent, help_question.kind) == (block, parent, StepKind.QUESTION)
    assert list(help_question.attention_points.all()) == [point]
    assert list(parent.children.all()) == [help_question]


@pytest.mark.django_db
def test_it_adds_a_labelled_sub_point_under_a_group(as_admin, library):
    block = Block.objects.get(script__slug="gesprekstafel-3-implementatie", order=4)
    group = block.steps.get(kind=StepKind.GROUP, text="Rondvraag:")
    before = list(group.children.values_list("pk", flat=True))
    data = admin_form_data(as_admin.get(admin_url("block", "change", block.pk)))
    add_inline_form(
        data,
        "steps",
        order="3",
        kind=StepKind.QUESTION,
        label="Tot slot",
        text="Wat neem je mee?",
        parent=str(group.pk),
        block=str(block.pk),
    )

    response = as_admin.post(admin_url("block", "change", block.pk), data)

    assert response.status_code == 302, form_errors(response)
    added = Step.objects.get(text="Wat neem je mee?")
    assert (added.parent, added.label, added.order) == (group, "Tot slot", 3)
    assert list(group.children.order_by("order").values_list("pk", flat=True)) == [*before, added.pk]


@pytest.mark.django_db
def test_it_refuses_a_sub_point_whose_parent_is_in_another_block(as_admin, library):
    block = Block.objects.get(script__slug=SLUG, order=2)
    elsewhere = Step.objects.filter(
        block__script__slug=SLUG, block__order=3, parent=None, kind=StepKind.QUESTION
    ).first()
    count = Step.objects.count()
    data = admin_form_data(as_admin.get(admin_url("block", "change", block.pk)))
    index = add_inline_form(
        data,
        "steps",
        order="9",
        kind=StepKind.QUESTION,
        text="Verdwaalde hulpvraag?",
        parent=str(elsewhere.pk),
        block=str(block.pk),
    )

    response = as_admin.post(admin_url("block", "change", block.pk), data)

    assert response.status_code == 200
    assert list(form_errors(response)) == [f"steps-{index}-parent"]
    assert Step.objects.count() == count


@pytest.mark.django_db
def test_it_refuses_a_sub_point_of_a_sub_point_in_the_block_page(as_admin, library):
    # One level of nesting only: a sub-point is no choice for "part of".
    block = Block.objects.get(script__slug="gesprekstafel-3-implementatie", order=3)
    help_question = block.steps.get(text__startswith="Hoe zien zij het nut en de noodzaak")
    assert help_question.parent_id
    before = script_state(block.script)
    data = admin_form_data(as_admin.get(admin_url("block", "change", block.pk)))
    index = add_inline_form(
        data,
        "steps",
        order="9",
        kind=StepKind.QUESTION,
        text="Twee niveaus diep?",
        parent=str(help_question.pk),
        block=str(block.pk),
    )

    response = as_admin.post(admin_url("block", "change", block.pk), data)

    assert response.status_code == 200
    assert list(form_errors(response)) == [f"steps-{index}-parent"]
    assert script_state(block.script) == before


def step_and_forbidden_parent(case):
    """A step of GT2 ronde 1 and a parent the nesting rules forbid for it."""
    sub_point = Step.objects.get(text__startswith="Gaat het project (nog steeds)")
    block = sub_point.block
    instruction = block.steps.filter(parent=None, kind=StepKind.INSTRUCTION).first()
    if case == "another block's question":
        other = Step.objects.filter(block__script=block.script, parent=None, kind=StepKind.QUESTION).exclude(
            block=block
        )
        return sub_point, other.first()
    if case == "a sub-point":  # two levels deep
        return instruction, sub_point
    if case == "an instruction":
        return sub_point, instruction
    raise AssertionError(case)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("another block's question", "A sub-point belongs to a step of the same block."),
        ("a sub-point", "Sub-points go one level deep."),
        ("an instruction", "Only a question or a group holds sub-points."),
    ],
)
def test_it_refuses_a_parent_the_rules_forbid_in_the_step_page(as_admin, library, case, reason):
    """The step page offers only its block's top-level questions and groups; the model refuses the rest too."""
    step, new_parent = step_and_forbidden_parent(case)
    assert new_parent is not None and new_parent.pk != step.parent_id
    original_parent = step.parent_id
    before = script_state(step.block.script)
    data = admin_form_data(as_admin.get(admin_url("step", "change", step.pk)))
    data["parent"] = str(new_parent.pk)

    response = as_admin.post(admin_url("step", "change", step.pk), data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["parent"]
    assert errors["parent"] == [
        message(response, "Select a valid choice. That choice is not one of the available choices.")
    ]
    assert str(new_parent.pk) not in [
        str(value) for value, _label in response.context["adminform"].form.fields["parent"].choices
    ]
    step.refresh_from_db()
    assert step.parent_id == original_parent
    assert script_state(step.block.script) == before
    step.parent = new_parent
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            step.clean()
        assert refused.value.message_dict["parent"] == [reason]


@pytest.mark.django_db
def test_it_refuses_a_step_as_its_own_sub_point(as_admin, library):
    block = Block.objects.get(script__slug=SLUG, order=2)
    question = block.steps.get(text__startswith="De WAAROM-vraag")
    data = admin_form_data(as_admin.get(admin_url("block", "change", block.pk)))
    index = inline_index(data, "steps", question.pk)
    data[f"steps-{index}-parent"] = str(question.pk)

    response = as_admin.post(admin_url("block", "change", block.pk), data)

    assert response.status_code == 200
    assert list(form_errors(response)) == [f"steps-{index}-parent"]
    question.refresh_from_db()
    assert question.parent_id is None


@pytest.mark.django_db
def test_it_refuses_turning_a_question_with_help_questions_into_a_sub_point(as_admin, library):
    # Otherwise its own help questions would sit two levels deep and vanish from the timeline.
    parent = Step.objects.get(text="Hoe kijken de professionals naar deze aanbevelingen?")
    assert parent.children.exists()
    other = parent.block.steps.get(text="Wat zijn de aanbevelingen voor vervolgonderzoek?")
    before = script_state(parent.block.script)
    data = admin_form_data(as_admin.get(admin_url("block", "change", parent.block_id)))
    index = inline_index(data, "steps", parent.pk)
    data[f"steps-{index}-parent"] = str(other.pk)

    response = as_admin.post(admin_url("block", "change", parent.block_id), data)

    assert response.status_code == 200
    assert form_errors(response) == {
        f"steps-{index}-parent": [message(response, "A step with sub-points cannot become a sub-point.")]
    }
    assert script_state(parent.block.script) == before


@pytest.mark.django_db
def test_it_refuses_a_group_as_a_sub_point_and_a_perspective_on_an_instruction(as_admin, library):
    block = Block.objects.get(script__slug="gesprekstafel-3-implementatie", order=3)
    group = block.steps.get(kind=StepKind.GROUP)
    question = block.steps.get(text="Wat zijn de aanbevelingen voor vervolgonderzoek?")
    instruction = block.steps.filter(kind=StepKind.INSTRUCTION, parent=None).first()
    before = script_state(block.script)
    data = admin_form_data(as_admin.get(admin_url("block", "change", block.pk)))
    group_index = inline_index(data, "steps", group.pk)
    instruction_index = inline_index(data, "steps", instruction.pk)
    data[f"steps-{group_index}-parent"] = str(question.pk)
    data[f"steps-{instruction_index}-perspective"] = "client"

    response = as_admin.post(admin_url("block", "change", block.pk), data)

    assert response.status_code == 200
    errors = set(form_errors(response))
    group_errors = {f"steps-{group_index}-kind", f"steps-{group_index}-parent"}
    assert errors - group_errors == {f"steps-{instruction_index}-perspective"}
    assert errors & group_errors
    assert script_state(block.script) == before


@pytest.mark.django_db
def test_it_refuses_turning_a_group_with_sub_points_into_an_instruction(as_admin, library):
    # Its questions would hang under an instruction: shown, but no longer questions notes are filed under.
    block = Block.objects.get(script__slug="gesprekstafel-3-implementatie", order=3)
    group = block.steps.get(kind=StepKind.GROUP)
    assert group.children.filter(kind=StepKind.QUESTION).exists()
    before = script_state(block.script)
    data = admin_form_data(as_admin.get(admin_url("block", "change", block.pk)))
    data[f"steps-{inline_index(data, 'steps', group.pk)}-kind"] = StepKind.INSTRUCTION

    response = as_admin.post(admin_url("block", "change", block.pk), data)

    assert response.status_code == 200
    assert script_state(block.script) == before


# Duplicating


@pytest.mark.django_db
@pytest.mark.parametrize("slug", SLUGS)
def test_it_duplicates_a_script_with_its_blocks_steps_and_links(as_admin, library, slug):
    original = Script.objects.get(slug=slug)
    before = script_state(original)
    existing = list(Script.objects.values_list("pk", flat=True))
    originals = Step.objects.filter(block__script=original)
    # The script has what must survive the copy: nesting, every kind, attention points.
    assert originals.exclude(parent=None).exists()
    assert set(originals.values_list("kind", flat=True)) == set(StepKind.values)
    assert originals.exclude(attention_points=None).exists()

    response = as_admin.post(
        admin_url("script", "changelist"), {"action": "duplicate_scripts", "_selected_action": [str(original.pk)]}
    )

    assert response.status_code == 302
    copy = Script.objects.exclude(pk__in=existing).get()
    assert copy.slug != original.slug
    assert original.title in copy.title
    fields = (
        "method_id",
        "phase_id",
        "purpose",
        "repeatable",
        "footnote",
        "times_are_suggestions",
        "shortening_advice",
    )
    assert [getattr(copy, name) for name in fields] == [getattr(original, name) for name in fields]
    assert script_state(copy) == before
    assert script_state(original) == before
    # The copy has blocks and steps of its own, and its sub-points hang under its own steps.
    assert not set(copy.blocks.values_list("pk", flat=True)) & set(original.blocks.values_list("pk", flat=True))
    copied = Step.objects.filter(block__script=copy)
    assert not set(copied.values_list("pk", flat=True)) & set(originals.values_list("pk", flat=True))
    for sub_point in copied.exclude(parent=None).select_related("parent"):
        assert sub_point.parent.block_id == sub_point.block_id
        assert sub_point.parent.parent_id is None
    assert copied.count() == originals.count()
    assert copied.exclude(parent=None).count() == originals.exclude(parent=None).count()


@pytest.mark.django_db
def test_it_duplicates_labels_and_notes_of_steps(as_admin, library):
    original = Script.objects.get(slug="gesprekstafel-3-implementatie")
    labels = list(Step.objects.filter(block__script=original).exclude(label="").values_list("label", flat=True))
    assert labels
    block = original.blocks.get(order=2)
    step = block.steps.filter(parent=None, kind=StepKind.QUESTION).first()
    Step.objects.filter(pk=step.pk).update(editorial_note="De bron noemt hier drie vragen.", label="Startvraag")
    before = script_state(original)
    existing = list(Script.objects.values_list("pk", flat=True))

    as_admin.post(
        admin_url("script", "changelist"), {"action": "duplicate_scripts", "_selected_action": [str(original.pk)]}
    )

    copy = Script.objects.exclude(pk__in=existing).get()
    assert script_state(copy) == before
    copied = Step.objects.get(block__script=copy, editorial_note="De bron noemt hier drie vragen.")
    assert (copied.label, copied.text, copied.parent) == ("Startvraag", step.text, None)
    assert sorted(Step.objects.filter(block__script=copy).exclude(label="").values_list("label", flat=True)) == sorted(
        [*labels, "Startvraag"]
    )


@pytest.mark.django_db
def test_it_duplicates_the_same_script_twice_under_different_slugs(as_admin, library):
    original = Script.objects.get(slug=SLUG)
    for _ in range(2):
        response = as_admin.post(
            admin_url("script", "changelist"), {"action": "duplicate_scripts", "_selected_action": [str(original.pk)]}
        )
        assert response.status_code == 302

    copies = Script.objects.filter(slug__startswith=f"{SLUG}-")
    assert copies.count() == 2
    assert len(set(copies.values_list("slug", flat=True))) == 2
    for copy in copies:
        assert copy.total_minutes == 150
        assert script_state(copy) == script_state(original)


# Refusal for others


@pytest.mark.django_db
@pytest.mark.parametrize("user_fixture", ["facilitator", "researcher", "secretary"])
def test_it_sends_users_without_staff_status_to_the_admin_login(client, script, request, user_fixture):
    client.force_login(request.getfixturevalue(user_fixture))
    urls = [admin_url("script", "changelist"), admin_url("script", "change", script.pk), admin_url("script", "add")]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("admin:login")), url


@pytest.mark.django_db
@pytest.mark.parametrize("user_fixture", ["facilitator", "researcher"])
def test_it_refuses_changes_from_users_without_staff_status(client, as_admin, script, request, user_fixture):
    data = admin_form_data(as_admin.get(admin_url("script", "change", script.pk)))
    data["title"] = "Gekaapt"
    data["blocks-0-minutes"] = "1"
    before = script_state(script)
    count = Script.objects.count()
    client.force_login(request.getfixturevalue(user_fixture))

    change = client.post(admin_url("script", "change", script.pk), data)
    action = client.post(
        admin_url("script", "changelist"), {"action": "duplicate_scripts", "_selected_action": [str(script.pk)]}
    )
    delete = client.post(admin_url("block", "delete", script.blocks.first().pk), {"post": "yes"})

    for response in (change, action, delete):
        assert response.status_code in (302, 403)
        if response.status_code == 302:
            assert response.url.startswith(reverse("admin:login"))
    script.refresh_from_db()
    assert script.title != "Gekaapt"
    assert script_state(script) == before
    assert Script.objects.count() == count


@pytest.mark.django_db
def test_it_lets_staff_without_change_permission_look_but_not_change(client, as_admin, script, facilitator):
    count = Script.objects.count()
    data = admin_form_data(as_admin.get(admin_url("script", "change", script.pk)))
    data["title"] = "Gekaapt"
    facilitator.is_staff = True
    facilitator.save()
    client.force_login(facilitator)

    assert client.get(admin_url("script", "changelist")).status_code == 200
    assert client.post(admin_url("script", "change", script.pk), data).status_code == 403
    assert client.post(
        admin_url("script", "changelist"), {"action": "duplicate_scripts", "_selected_action": [str(script.pk)]}
    ).status_code in (200, 302, 403)
    assert client.get(admin_url("script", "add")).status_code == 403
    script.refresh_from_db()
    assert script.title != "Gekaapt"
    assert Script.objects.count() == count


# Past sessions keep their own copy


def assert_session_pages_render(session, viewer):
    detail = viewer.get(reverse("sessions:detail", args=[session.pk]))
    run = viewer.get(reverse("sessions:run", args=[session.pk]))
    assert detail.status_code == 200
    assert run.status_code == 200
    content = detail.content.decode()
    for block in SessionBlock.objects.filter(session=session):
        assert block.title in content


@pytest.mark.django_db
def test_it_keeps_a_past_session_when_block_minutes_change_in_admin(as_admin, session, facilitator_client):
    script = Script.objects.get(slug=SLUG)
    before = session_state(session)
    data = admin_form_data(as_admin.get(admin_url("script", "change", script.pk)))
    for index in range(int(data["blocks-TOTAL_FORMS"])):
        data[f"blocks-{index}-minutes"] = "7"
        data[f"blocks-{index}-min_minutes"] = ""

    response = as_admin.post(admin_url("script", "change", script.pk), data)

    assert response.status_code == 302, form_errors(response)
    assert script.total_minutes == 28
    assert session_state(session) == before
    assert_session_pages_render(session, facilitator_client)


@pytest.mark.django_db
def test_it_keeps_a_past_session_when_blocks_are_reordered_and_deleted_in_admin(as_admin, session, facilitator_client):
    script = Script.objects.get(slug=SLUG)
    before = session_state(session)
    blocks = {block.order: block for block in script.blocks.all()}
    data = admin_form_data(as_admin.get(admin_url("script", "change", script.pk)))
    data[f"blocks-{inline_index(data, 'blocks', blocks[2].pk)}-DELETE"] = "on"
    data[f"blocks-{inline_index(data, 'blocks', blocks[4].pk)}-order"] = "1"
    data[f"blocks-{inline_index(data, 'blocks', blocks[1].pk)}-order"] = "4"

    response = as_admin.post(admin_url("script", "change", script.pk), data)

    assert response.status_code == 302, form_errors(response)
    assert not Block.objects.filter(pk=blocks[2].pk).exists()
    assert session_state(session) == before
    assert_session_pages_render(session, facilitator_client)


@pytest.mark.django_db
def test_it_keeps_a_past_session_when_a_block_is_deleted_from_its_own_page(as_admin, session, facilitator_client):
    block = Block.objects.get(script__slug=SLUG, order=3)
    before = session_state(session)

    response = as_admin.post(admin_url("block", "delete", block.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not Block.objects.filter(pk=block.pk).exists()
    assert not Step.objects.filter(block_id=block.pk).exists()
    assert session_state(session) == before
    assert_session_pages_render(session, facilitator_client)


@pytest.mark.django_db
def test_it_keeps_a_past_session_when_steps_are_deleted_and_edited_in_admin(as_admin, session, facilitator_client):
    block = Block.objects.get(script__slug=SLUG, order=2)
    first = block.steps.get(text__startswith="De WAAROM-vraag")
    second = block.steps.filter(kind=StepKind.QUESTION).exclude(parent=None).first()
    group = second.parent
    before = session_state(session)
    data = admin_form_data(as_admin.get(admin_url("block", "change", block.pk)))
    data[f"steps-{inline_index(data, 'steps', first.pk)}-DELETE"] = "on"
    data[f"steps-{inline_index(data, 'steps', second.pk)}-text"] = "Een heel andere vraag?"
    data[f"steps-{inline_index(data, 'steps', group.pk)}-order"] = "1"

    response = as_admin.post(admin_url("block", "change", block.pk), data)

    assert response.status_code == 302, form_errors(response)
    assert not Step.objects.filter(pk=first.pk).exists()
    assert Step.objects.get(pk=second.pk).text == "Een heel andere vraag?"
    assert session_state(session) == before
    assert_session_pages_render(session, facilitator_client)


@pytest.mark.django_db
def test_it_keeps_a_running_session_when_its_script_is_deleted(as_admin, session, facilitator_client):
    timeline.start(session.pk, session.timeline_version)
    before = session_state(session)
    script = Script.objects.get(slug=SLUG)

    response = as_admin.post(admin_url("script", "delete", script.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not Script.objects.filter(pk=script.pk).exists()
    session.refresh_from_db()
    assert session.script_id is None
    assert session.script_title == script.title
    assert session_state(session) == before
    assert_session_pages_render(session, facilitator_client)


@pytest.mark.django_db
def test_it_keeps_a_past_session_when_the_script_changes_through_the_orm(session, facilitator_client):
    script = Script.objects.get(slug=SLUG)
    before = session_state(session)
    Block.objects.filter(script=script, order=1).update(minutes=99, title="Nieuwe inleiding")
    Step.objects.filter(block__script=script, order=1).delete()
    Step.objects.filter(block__script=script).update(label="Anders")
    Block.objects.filter(script=script, order=4).delete()
    Block.objects.create(script=script, order=5, title="Toegevoegd", minutes=5)

    assert session_state(session) == before
    assert_session_pages_render(session, facilitator_client)
