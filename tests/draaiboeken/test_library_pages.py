"""The script library pages: the list, a script's timeline and its printable handout."""

import html
import io
import re
import unicodedata

import pypdf
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from draaiboeken.models import (
    Block,
    Method,
    Perspective,
    Role,
    Script,
    Step,
    StepKind,
    Tip,
    TipAudience,
    WorkForm,
    WorkFormTool,
)
from kader.models import AttentionPoint, Phase

SLUGS = ["gesprekstafel-1-start", "gesprekstafel-2-uitvoering", "gesprekstafel-3-implementatie"]
STARTS = ["0:00", "0:10", "1:10", "2:10"]
METHODS = ["gesprekstafels", "waarderende-gespreksvoering", "samenleergesprek"]


def normalise(text):
    """Text with ligatures unfolded and every run of whitespace as one space."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def page_text(response_or_html):
    """The page's visible text: tags become spaces, entities are unescaped, whitespace collapsed."""
    body = response_or_html if isinstance(response_or_html, str) else response_or_html.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return normalise(html.unescape(re.sub(r"<[^>]+>", " ", body)))


def pdf_text(response):
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    return normalise(" ".join(page.extract_text() or "" for page in reader.pages))


def ordered_blocks(slug):
    return list(Block.objects.filter(script__slug=slug).order_by("order", "pk"))


def top_level_steps(block):
    return list(block.steps.filter(parent=None).order_by("order", "pk"))


def is_main_question(step):
    """A question notes are filed under: top-level, or inside a group (not under a question)."""
    return step.kind == StepKind.QUESTION and (step.parent is None or step.parent.kind == StepKind.GROUP)


def block_positions(text, blocks, starts):
    """Where each block's heading ("<start> <title>") sits in the page text, in page order."""
    positions = [text.index(normalise(f"{start} {block.title}")) for start, block in zip(starts, blocks, strict=True)]
    assert positions == sorted(positions)
    return positions + [len(text)]


def add_blocks(script, count, questions_per_block, points):
    """Add blocks with instructions, questions (each with a help question and a labelled sub-point),
    a group with a question in it, and attention point links."""
    start = script.blocks.count() + 1
    for number in range(start, start + count):
        block = Block.objects.create(
            script=script,
            order=number,
            title=f"Extra blok {number}",
            minutes=5,
            work_form=WorkForm.SUBGROUPS,
            suggested_approach="Begin met een rondje.",
        )
        Step.objects.create(block=block, order=1, kind=StepKind.INSTRUCTION, text=f"Eerst dit {number}.")
        for index in range(questions_per_block):
            question = Step.objects.create(
                block=block,
                order=10 + index,
                kind=StepKind.QUESTION,
                text=f"Extra vraag {number}.{index}?",
                perspective="professional",
                guidance="Rondje langs iedereen.",
            )
            question.attention_points.set(points)
            Step.objects.create(
                block=block, parent=question, order=1, kind=StepKind.QUESTION, text=f"Hulpvraag {number}.{index}?"
            )
            Step.objects.create(
                block=block,
                parent=question,
                order=2,
                kind=StepKind.INSTRUCTION,
                label="Verleden",
                text=f"Uitgang {number}.{index}",
            )
        group = Step.objects.create(block=block, order=50, kind=StepKind.GROUP, text=f"Rondvraag {number}:")
        inner = Step.objects.create(
            block=block, parent=group, order=1, kind=StepKind.QUESTION, text=f"Groepsvraag {number}?"
        )
        inner.attention_points.set(points)
        Step.objects.create(block=block, order=60, kind=StepKind.INSTRUCTION, text=f"Afsluiting {number}.")


@pytest.fixture
def full_library(db):
    """The framework, the work forms and the scripts of all three methods."""
    call_command(
        "loaddata",
        *(f"fixtures/{name}.json" for name in ["kader", "werkvormen", "draaiboeken", "waarderend", "samenleergesprek"]),
        verbosity=0,
    )


@pytest.fixture
def logged_in(client, facilitator):
    client.force_login(facilitator)
    return client


# The library list


def phase_groups(response):
    """The library's (phase, scripts) groups, method after method."""
    return [group for _method, groups in response.context["method_groups"] for group in groups]


@pytest.mark.django_db
def test_it_lists_the_three_scripts_grouped_by_phase(logged_in, library):
    response = logged_in.get(reverse("scripts:library"))

    assert response.status_code == 200
    groups = [(phase.number if phase else None, [s.slug for s in scripts]) for phase, scripts in phase_groups(response)]
    numbers = [number for number, _ in groups if number is not None]
    assert numbers == sorted(set(numbers))
    by_phase = dict(groups)
    assert [by_phase[number][0] for number in (1, 2, 3)] == SLUGS
    text = page_text(response)
    scripts = list(Script.objects.filter(slug__in=SLUGS).select_related("phase", "method").order_by("order"))
    positions = [text.index(normalise(script.phase.name)) for script in scripts]
    assert positions == sorted(positions)
    for script, start, end in zip(scripts, positions, positions[1:] + [len(text)], strict=True):
        # Each script sits under its own phase heading, with its duration in minutes and as h:mm.
        segment = text[start:end]
        assert re.search(rf"{re.escape(script.title)} .{{0,200}}?\b150\b.{{0,40}}?\b2:30\b", segment), script.title
    content = response.content.decode()
    for slug in SLUGS:
        assert f'href="{reverse("scripts:script", args=[slug])}"' in content


@pytest.mark.django_db
def test_it_lists_a_script_without_phase_and_without_blocks(logged_in, library):
    empty = Script.objects.create(method=Method.objects.get(), title="Losse intervisie", slug="losse-intervisie")

    response = logged_in.get(reverse("scripts:library"))

    assert response.status_code == 200
    groups = {phase.number if phase else None: [s.slug for s in scripts] for phase, scripts in phase_groups(response)}
    assert groups[None] == [empty.slug]
    listed = {s.slug: s.total_minutes for _, scripts in phase_groups(response) for s in scripts}
    assert [listed[slug] for slug in [*SLUGS, empty.slug]] == [150, 150, 150, 0]
    text = page_text(response)
    assert re.search(r"Losse intervisie .*?\b0\b.*?0:00", text)


@pytest.mark.django_db
def test_it_sends_anonymous_visitors_to_the_login_page(client, library):
    response = client.get(reverse("scripts:library"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.django_db
def test_library_queries_do_not_grow_with_the_number_of_scripts(logged_in, library, django_assert_num_queries):
    url = reverse("scripts:library")
    logged_in.get(url)  # warm up the session and permission caches
    with CaptureQueriesContext(connection) as first:
        assert logged_in.get(url).status_code == 200

    method = Method.objects.create(name="Intervisie", slug="intervisie")
    points = list(AttentionPoint.objects.all()[:2])
    for phase in [*Phase.objects.all(), None]:
        for index in range(3):
            script = Script.objects.create(
                method=method,
                phase=phase,
                order=10 + index,
                title=f"Extra {phase} {index}",
                slug=f"extra-{phase.number if phase else 0}-{index}",
            )
            add_blocks(script, 2, 2, points)
    Script.objects.create(method=method, title="Nog leeg", slug="nog-leeg")

    with django_assert_num_queries(len(first)):
        response = logged_in.get(url)
    assert response.status_code == 200
    assert sum(len(scripts) for _, scripts in phase_groups(response)) == Script.objects.count()
    assert Script.objects.filter(method=method).count() == 4 * 3 + 1


# A script's page


@pytest.mark.django_db
@pytest.mark.parametrize("slug", SLUGS)
def test_it_shows_the_timeline_with_start_times_minutes_and_work_form(logged_in, library, slug):
    response = logged_in.get(reverse("scripts:script", args=[slug]))

    assert response.status_code == 200
    entries = response.context["timeline"]
    blocks = ordered_blocks(slug)
    assert [entry.block.pk for entry in entries] == [block.pk for block in blocks]
    assert [entry.start_minute for entry in entries] == [0, 10, 70, 130]
    assert response.context["total_minutes"] == 150
    text = page_text(response)
    positions = block_positions(text, blocks, STARTS)
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        work_forms = [str(block.get_work_form_display()) for block in blocks]
    for block, work_form, start, end in zip(blocks, work_forms, positions, positions[1:], strict=False):
        segment = text[start:end]
        assert re.search(rf"\b{block.minutes}\b", segment), block.title
        assert work_form in segment, block.title
    # The timeline ends at 2:30, after the last block.
    assert "2:30" in text[positions[-2] :]


@pytest.mark.django_db
@pytest.mark.parametrize("slug", SLUGS)
def test_it_shows_each_blocks_steps_with_help_questions_under_their_question(logged_in, library, slug):
    response = logged_in.get(reverse("scripts:script", args=[slug]))

    assert response.status_code == 200
    text = page_text(response)
    blocks = ordered_blocks(slug)
    positions = block_positions(text, blocks, STARTS)
    for block, start, end in zip(blocks, positions, positions[1:], strict=False):
        steps = top_level_steps(block)
        found = []
        for step in steps:
            found.append(text.index(normalise(step.text), found[-1] + 1 if found else start))
        assert found == sorted(found)
        assert all(start < at < end for at in found), block.title
        for step, at, next_at in zip(steps, found, found[1:] + [end], strict=True):
            # Each sub-point (a help question, a question of a group, an ending) sits under its step.
            cursor = at
            for child in step.children.order_by("order", "pk"):
                cursor = text.index(normalise(child.text), cursor + 1)
                assert at < cursor < next_at, child.text
    entries = response.context["timeline"]
    shown = {q.pk: [child.pk for child in help] for entry in entries for q, help in entry.outline.questions()}
    questions = Step.objects.filter(block__script__slug=slug, kind=StepKind.QUESTION).select_related("parent")
    expected = {
        q.pk: list(q.children.filter(kind=StepKind.QUESTION).order_by("order", "pk").values_list("pk", flat=True))
        for q in questions
        if is_main_question(q)
    }
    assert shown == expected


@pytest.mark.django_db
def test_it_shows_a_help_question_of_a_later_block_under_its_own_question_with_its_label(logged_in, library):
    slug = SLUGS[2]
    response = logged_in.get(reverse("scripts:script", args=[slug]))
    text = page_text(response)

    parent = Step.objects.get(text="Hoe kijken de professionals naar deze aanbevelingen?")
    help_question = parent.children.get()
    assert (parent.kind, help_question.kind) == (StepKind.QUESTION, StepKind.QUESTION)
    next_step = parent.block.steps.filter(parent=None, order__gt=parent.order).order_by("order").first()
    last_block_at = text.index(normalise(f"2:10 {ordered_blocks(slug)[3].title}"))
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        label = help_question.label or gettext("Help question")
    assert (
        text.index(parent.text)
        < text.index(f"{label}: {normalise(help_question.text)}")
        < text.index(normalise(next_step.text))
        < last_block_at
    )
    content = response.content.decode()
    item = re.search(rf'<li class="subpoint subpoint-vraag" data-step="{help_question.pk}">(.*?)</li>', content, re.S)
    assert item and "subpoint-label" in item.group(1)


@pytest.mark.django_db
def test_it_labels_a_question_under_a_question_as_help_question_and_shows_source_labels(logged_in, library):
    block = Block.objects.get(script__slug=SLUGS[0], order=2)
    question = Step.objects.create(block=block, order=99, kind=StepKind.QUESTION, text="Wie doet er mee?")
    Step.objects.create(block=block, parent=question, order=1, kind=StepKind.QUESTION, text="Wie nog meer?")
    Step.objects.create(
        block=block, parent=question, order=2, kind=StepKind.QUESTION, label="Toekomst", text="En later?"
    )
    Step.objects.create(block=block, parent=question, order=3, kind=StepKind.INSTRUCTION, text="iets gezond voelde.")

    response = logged_in.get(reverse("scripts:script", args=[SLUGS[0]]))

    text = page_text(response)
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        help_label = gettext("Help question")
    at = text.index("Wie doet er mee?")
    assert at < text.index(f"{help_label}: Wie nog meer?") < text.index("Toekomst: En later?")
    # An ending of the question is a plain sub-point: no label in front of it.
    ending = text.index("iets gezond voelde.")
    assert text[ending - len(help_label) - 2 : ending] != f"{help_label}: "
    assert text.index("Toekomst: En later?") < ending


@pytest.mark.django_db
def test_it_groups_the_main_questions_by_perspective(logged_in, library):
    slug = SLUGS[0]
    response = logged_in.get(reverse("scripts:script", args=[slug]))

    assert response.status_code == 200
    groups = [(key, [q.text for q in questions]) for key, _, questions in response.context["perspectives"]]
    questions = [
        q
        for q in Step.objects.filter(block__script__slug=slug, kind=StepKind.QUESTION).select_related("block", "parent")
        if is_main_question(q)
    ]

    def position(q):
        top = q.parent or q
        return (q.block.order, top.order, top.pk, q.order if q.parent else -1, q.pk)

    questions.sort(key=position)
    expected = []
    for key in [*Perspective.values, ""]:
        texts = [q.text for q in questions if q.perspective == key]
        if texts:
            expected.append((key, texts))
    assert groups == expected
    # Questions inside a group ("Vervolgens gaan de deelnemers in subgroepjes ...") count as questions.
    assert [key for key, _ in expected] == ["onderzoeker", "professional", "client", "omgeving", ""]
    text = page_text(response)
    # Below the timeline every main question comes again, under its perspective's label.
    previous_end = max(text.index(normalise(q.text)) for q in questions)
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        labels = [
            normalise(str(label)) if label else gettext("Without a perspective")
            for _, label, _ in response.context["perspectives"]
        ]
    for label, (_, texts) in zip(labels, expected, strict=True):
        found = [text.index(normalise(q), previous_end + 1) for q in texts]
        assert found == sorted(found)
        assert label in text[previous_end : found[0]]
        previous_end = found[-1]


@pytest.mark.django_db
def test_it_shows_the_rules_tips_and_roles_of_the_method(logged_in, library):
    response = logged_in.get(reverse("scripts:script", args=[SLUGS[1]]))

    assert response.status_code == 200
    method = Method.objects.get(slug="gesprekstafels")
    groups = [(group.audience, [tip.pk for tip in group.tips]) for group in response.context["tip_groups"]]
    by_audience = {
        audience: list(method.tips.filter(audience=audience).order_by("order", "pk").values_list("pk", flat=True))
        for audience in TipAudience
    }
    # Participant rules first; the researcher's preparation tip is not among them.
    assert groups == [
        (TipAudience.PARTICIPANT, by_audience[TipAudience.PARTICIPANT]),
        (TipAudience.FACILITATOR, by_audience[TipAudience.FACILITATOR]),
        (TipAudience.RESEARCHER, by_audience[TipAudience.RESEARCHER]),
    ]
    assert [len(pks) for _, pks in groups] == [4, 4, 1]
    text = page_text(response)
    rules_at = text.index(normalise(method.participant_rules_intro))
    found = {
        audience: [
            text.index(normalise(tip.text), rules_at) for tip in method.tips.filter(audience=audience).order_by("order")
        ]
        for audience in (TipAudience.PARTICIPANT, TipAudience.FACILITATOR, TipAudience.RESEARCHER)
    }
    for positions in found.values():
        assert positions == sorted(positions)
    assert rules_at < min(found[TipAudience.PARTICIPANT])
    assert max(found[TipAudience.PARTICIPANT]) < min(found[TipAudience.FACILITATOR])
    assert max(found[TipAudience.FACILITATOR]) < min(found[TipAudience.RESEARCHER])
    roles = [text.index(role.name) for role in method.roles.order_by("order")]
    assert roles == sorted(roles)
    for role in method.roles.all():
        assert normalise(role.description)[:60] in text[text.index(role.name) :]


@pytest.mark.django_db
def test_it_answers_404_for_an_unknown_script(logged_in, library):
    response = logged_in.get(reverse("scripts:script", args=["bestaat-niet"]))

    assert response.status_code == 404


@pytest.mark.django_db
def test_script_page_queries_do_not_grow_with_blocks_and_steps(logged_in, library, django_assert_num_queries):
    script = Script.objects.get(slug=SLUGS[2])
    url = reverse("scripts:script", args=[script.slug])
    logged_in.get(url)  # warm up the session and permission caches
    with CaptureQueriesContext(connection) as first:
        assert logged_in.get(url).status_code == 200

    add_blocks(script, 3, 5, list(AttentionPoint.objects.filter(phase=script.phase)[:3]))
    Tip.objects.create(method=script.method, audience=TipAudience.PARTICIPANT, order=99, text="Extra tip.")
    Tip.objects.create(method=script.method, audience=TipAudience.PRINCIPLE, order=1, text="Extra principe.")
    Role.objects.create(method=script.method, order=99, name="Extra rol", description="Kijkt mee.")

    with django_assert_num_queries(len(first)):
        response = logged_in.get(url)
    assert response.status_code == 200
    assert len(response.context["timeline"]) == 7
    assert response.context["total_minutes"] == 165
    text = page_text(response)
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        help_label = gettext("Help question")
    assert "Extra vraag 7.4?" in text
    assert f"{help_label}: Hulpvraag 7.4?" in text
    assert "Verleden: Uitgang 7.4" in text
    assert text.index("Rondvraag 7:") < text.index("Groepsvraag 7?") < text.index("Afsluiting 7.")
    assert "Extra principe." in text
    assert "2:45" in text


# The handout


@pytest.mark.django_db
@pytest.mark.parametrize("slug", SLUGS)
def test_it_renders_the_handout_as_pdf_with_every_block_and_step(logged_in, library, slug):
    response = logged_in.get(reverse("scripts:script_pdf", args=[slug]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response)
    script = Script.objects.get(slug=slug)
    assert normalise(script.title) in text
    for block in ordered_blocks(slug):
        assert normalise(block.title) in text
    steps = Step.objects.filter(block__script=script)
    assert steps.exclude(parent=None).exists()
    for step in steps:
        assert normalise(step.text)[:40] in text, step.text
    assert normalise(script.method.name) in text


@pytest.mark.django_db
def test_it_answers_404_for_the_handout_of_an_unknown_script(logged_in, library):
    response = logged_in.get(reverse("scripts:script_pdf", args=["bestaat-niet"]))

    assert response.status_code == 404


# The method pages


def sections_by_heading(content):
    """The page's h2 headings (visible text) mapped to the HTML up to the next h1 or h2."""
    headings = list(re.finditer(r"<h([12])\b[^>]*>(.*?)</h\1>", content, re.S))
    sections = {}
    for heading, following in zip(headings, [*headings[1:], None], strict=True):
        if heading.group(1) == "2":
            end = following.start() if following else len(content)
            sections[page_text(heading.group(2))] = content[heading.end() : end]
    return sections


def headings(response, *msgids):
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        return [gettext(msgid) for msgid in msgids]


@pytest.mark.django_db
@pytest.mark.parametrize("user_fixture", ["facilitator", "secretary", "researcher", "outsider", "admin_user"])
def test_every_method_page_answers_anyone_logged_in(client, full_library, request, user_fixture):
    client.force_login(request.getfixturevalue(user_fixture))

    for slug in METHODS:
        response = client.get(reverse("scripts:method", args=[slug]))
        assert response.status_code == 200, slug
        assert response.context["method"].slug == slug


@pytest.mark.django_db
def test_the_method_page_sends_anonymous_visitors_to_the_login_page(client, full_library):
    response = client.get(reverse("scripts:method", args=[METHODS[0]]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.django_db
def test_it_answers_404_for_an_unknown_method(logged_in, full_library):
    assert logged_in.get(reverse("scripts:method", args=["bestaat-niet"])).status_code == 404
    assert logged_in.get("/draaiboeken/methode/gesprekstafel-1-start/").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("slug", METHODS)
def test_the_method_page_shows_introduction_purpose_safe_environment_and_roles(logged_in, full_library, slug):
    method = Method.objects.get(slug=slug)

    response = logged_in.get(method.get_absolute_url())

    content = response.content.decode()
    assert f"<h1>{escape(method.name)}</h1>" in content
    sections = sections_by_heading(content)
    introduction, purpose, safe, roles = headings(
        response, "Introduction", "Purpose and target group", "A safe environment", "Roles"
    )
    assert method.introduction and method.purpose
    assert normalise(method.introduction) in page_text(sections[introduction])
    assert normalise(method.purpose) in page_text(sections[purpose])
    if method.safe_environment:
        assert normalise(method.safe_environment) in page_text(sections[safe])
    else:
        assert safe not in sections
    text = page_text(sections[roles])
    at = [text.index(normalise(role.name)) for role in method.roles.order_by("order", "pk")]
    assert at and at == sorted(at)
    for role, start, end in zip(method.roles.order_by("order", "pk"), at, [*at[1:], len(text)], strict=True):
        assert normalise(role.description) in text[start:end], role.name
    order = [list(sections).index(name) for name in (introduction, purpose, roles)]
    assert order == sorted(order)


@pytest.mark.django_db
def test_the_method_page_shows_the_participant_rules_under_their_introduction_and_researcher_tips_apart(
    logged_in, full_library
):
    method = Method.objects.get(slug="gesprekstafels")

    response = logged_in.get(method.get_absolute_url())

    sections = sections_by_heading(response.content.decode())
    rules, facilitators, researchers = headings(
        response, "Rules for participants", "Tips for facilitators", "For researchers, in preparation"
    )
    tips = {audience: list(method.tips.filter(audience=audience).order_by("order", "pk")) for audience in TipAudience}
    assert [len(tips[audience]) for audience in TipAudience] == [4, 4, 1, 0]
    assert method.participant_rules_intro.startswith("Geef als gespreksleider")
    text = page_text(sections[rules])
    intro_at = text.index(normalise(method.participant_rules_intro))
    at = [text.index(normalise(tip.text)) for tip in tips[TipAudience.PARTICIPANT]]
    assert intro_at < min(at) and at == sorted(at)
    facilitator_text = page_text(sections[facilitators])
    at = [facilitator_text.index(normalise(tip.text)) for tip in tips[TipAudience.FACILITATOR]]
    assert at == sorted(at)
    # The preparation tip for researchers has a heading of its own and is no participant rule.
    (preparation,) = tips[TipAudience.RESEARCHER]
    assert "lees het paper" in preparation.text
    assert normalise(preparation.text) in page_text(sections[researchers])
    for heading, section in sections.items():
        if heading != researchers:
            assert normalise(preparation.text)[:60] not in page_text(section), heading
    # The intro line introduces the rules only; it is not itself a facilitator tip.
    assert normalise(method.participant_rules_intro) not in facilitator_text


@pytest.mark.django_db
def test_the_waarderend_method_page_shows_its_principles_note_and_the_work_form_it_builds_on(logged_in, full_library):
    method = Method.objects.get(slug="waarderende-gespreksvoering")

    response = logged_in.get(method.get_absolute_url())

    content = response.content.decode()
    sections = sections_by_heading(content)
    principles, builds_on, rules = headings(response, "Basic principles", "Builds on", "Rules for participants")
    text = page_text(sections[principles])
    tips = list(method.tips.filter(audience=TipAudience.PRINCIPLE).order_by("order", "pk"))
    assert len(tips) == 6
    assert tips[0].text.startswith("Wees waarachtig nieuwsgierig")
    at = [text.index(normalise(tip.text)) for tip in tips]
    assert at == sorted(at)
    assert rules not in sections
    tool = WorkFormTool.objects.get(code="6.1")
    assert list(method.builds_on.all()) == [tool]
    link = re.search(rf'<a href="{re.escape(tool.get_absolute_url())}">(.*?)</a>', sections[builds_on])
    assert link and page_text(link.group(1)) == normalise(f"6.1 {tool.name}")
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        note_label = gettext("Note from the app")
    assert method.editorial_note
    assert normalise(f"{note_label} {method.editorial_note}") in page_text(response)


@pytest.mark.django_db
@pytest.mark.parametrize("slug", METHODS)
def test_the_method_page_links_each_of_its_scripts(logged_in, full_library, slug):
    method = Method.objects.get(slug=slug)

    response = logged_in.get(method.get_absolute_url())

    content = response.content.decode()
    (scripts_heading,) = headings(response, "Scripts")
    section = sections_by_heading(content)[scripts_heading]
    linked = re.findall(r'<a href="([^"]+)">', section)
    expected = [script.get_absolute_url() for script in method.scripts.all()]
    assert expected and sorted(linked) == sorted(expected)
    other = Script.objects.exclude(method=method).first()
    assert other.get_absolute_url() not in content


@pytest.mark.django_db
def test_the_library_lists_the_gesprekstafels_first_then_each_method_with_its_scripts(logged_in, full_library):
    response = logged_in.get(reverse("scripts:library"))

    assert response.status_code == 200
    listed = [
        (method.slug, [script.slug for _phase, scripts in groups for script in scripts])
        for method, groups in response.context["method_groups"]
    ]
    assert [slug for slug, _scripts in listed] == METHODS
    for slug, scripts in listed:
        assert scripts == list(Script.objects.filter(method__slug=slug).values_list("slug", flat=True)), slug
    assert listed[0][1] == SLUGS
    # On the page: each method's heading, then its scripts, before the next method's heading.
    content = response.content.decode()
    headings = [content.index(f">{escape(Method.objects.get(slug=slug).name)}</h2>") for slug in METHODS]
    assert headings == sorted(headings)
    for (slug, scripts), start, end in zip(listed, headings, [*headings[1:], len(content)], strict=True):
        for script in scripts:
            assert start < content.index(f'href="{reverse("scripts:script", args=[script])}"') < end, (slug, script)


@pytest.mark.django_db
def test_the_library_links_every_method_page(logged_in, full_library):
    content = logged_in.get(reverse("scripts:library")).content.decode()

    for method in Method.objects.all():
        assert f'href="{method.get_absolute_url()}"' in content, method.slug
    assert Method.objects.count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize("slug", SLUGS)
def test_every_gesprekstafel_links_its_method_page_and_its_framework_phase(logged_in, full_library, slug):
    script = Script.objects.select_related("method", "phase").get(slug=slug)

    content = logged_in.get(script.get_absolute_url()).content.decode()

    assert f'href="{reverse("scripts:method", args=[script.method.slug])}"' in content
    assert f'href="{reverse("framework:phase", args=[script.phase.number])}"' in content
    assert script.phase.number == SLUGS.index(slug) + 1


@pytest.mark.django_db
@pytest.mark.parametrize("number", [1, 2, 3])
def test_every_framework_phase_page_links_its_gesprekstafel(logged_in, full_library, number):
    response = logged_in.get(reverse("framework:phase", args=[number]))

    assert response.status_code == 200
    content = response.content.decode()
    script = Script.objects.get(slug=SLUGS[number - 1])
    link = re.search(rf'<a href="{re.escape(script.get_absolute_url())}">(.*?)</a>', content)
    assert link and page_text(link.group(1)) == normalise(script.title)
    for other in Script.objects.exclude(pk=script.pk):
        assert f'href="{other.get_absolute_url()}"' not in content, other.slug


@pytest.mark.django_db
def test_method_page_queries_do_not_grow_with_more_scripts(logged_in, full_library, django_assert_num_queries):
    method = Method.objects.get(slug="waarderende-gespreksvoering")
    url = method.get_absolute_url()
    logged_in.get(url)  # warm up the session and permission caches
    with CaptureQueriesContext(connection) as first:
        assert logged_in.get(url).status_code == 200

    points = list(AttentionPoint.objects.all()[:2])
    for index, phase in enumerate([None, *Phase.objects.all()]):
        script = Script.objects.create(
            method=method, phase=phase, order=50 + index, title=f"Extra {index}", slug=f"extra-waarderend-{index}"
        )
        add_blocks(script, 2, 2, points)
    for audience in TipAudience:
        Tip.objects.create(method=method, audience=audience, order=99, text=f"Extra tip {audience}.")
    Role.objects.create(method=method, order=99, name="Extra rol", description="Kijkt mee.")
    method.builds_on.add(*WorkFormTool.objects.exclude(code="6.1")[:3])

    with django_assert_num_queries(len(first)):
        response = logged_in.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    for index in range(4):
        assert f'href="{reverse("scripts:script", args=[f"extra-waarderend-{index}"])}"' in content
    assert "Extra tip basisprincipe." in content and "Extra rol" in content
