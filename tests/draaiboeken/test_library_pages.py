"""The script library pages: the list, a script's timeline and its printable handout."""

import html
import io
import re
import unicodedata

import pypdf
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from draaiboeken.models import Block, Method, Question, Role, Script, Tip, TipAudience, WorkForm
from kader.models import AttentionPoint, Phase

SLUGS = ["gesprekstafel-1-start", "gesprekstafel-2-uitvoering", "gesprekstafel-3-implementatie"]
STARTS = ["0:00", "0:10", "1:10", "2:10"]


def normalise(text):
    """Text with ligatures unfolded and every run of whitespace as one space."""
    return " ".join(unicodedata.normalize("NFKC", text).split())


def page_text(response):
    """The page's visible text: tags become spaces, entities are unescaped, whitespace collapsed."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return normalise(html.unescape(re.sub(r"<[^>]+>", " ", body)))


def pdf_text(response):
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    return normalise(" ".join(page.extract_text() or "" for page in reader.pages))


def ordered_blocks(slug):
    return list(Block.objects.filter(script__slug=slug).order_by("order", "pk"))


def central_questions(block):
    return list(block.questions.filter(parent=None).order_by("order", "pk"))


def block_positions(text, blocks, starts):
    """Where each block's heading ("<start> <title>") sits in the page text, in page order."""
    positions = [text.index(normalise(f"{start} {block.title}")) for start, block in zip(starts, blocks, strict=True)]
    assert positions == sorted(positions)
    return positions + [len(text)]


def add_blocks(script, count, questions_per_block, points):
    """Add blocks with central questions, each with a help question and attention point links."""
    start = script.blocks.count() + 1
    for number in range(start, start + count):
        block = Block.objects.create(
            script=script,
            order=number,
            title=f"Extra blok {number}",
            minutes=5,
            work_form=WorkForm.SUBGROUPS,
            instructions="Eerst dit.\nDan dat.",
        )
        for index in range(questions_per_block):
            question = Question.objects.create(
                block=block,
                order=index,
                text=f"Extra vraag {number}.{index}?",
                perspective="professional",
                guidance="Rondje langs iedereen.",
            )
            question.attention_points.set(points)
            Question.objects.create(block=block, parent=question, order=1, text=f"Hulpvraag {number}.{index}?")


@pytest.fixture
def logged_in(client, facilitator):
    client.force_login(facilitator)
    return client


# The library list


@pytest.mark.django_db
def test_it_lists_the_three_scripts_grouped_by_phase(logged_in, library):
    response = logged_in.get(reverse("scripts:library"))

    assert response.status_code == 200
    groups = [
        (phase.number if phase else None, [s.slug for s in scripts]) for phase, scripts in response.context["groups"]
    ]
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
    groups = {
        phase.number if phase else None: [s.slug for s in scripts] for phase, scripts in response.context["groups"]
    }
    assert groups[None] == [empty.slug]
    listed = {s.slug: s.total_minutes for _, scripts in response.context["groups"] for s in scripts}
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
    assert sum(len(scripts) for _, scripts in response.context["groups"]) == Script.objects.count()
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
def test_it_shows_each_blocks_questions_with_help_questions_under_their_question(logged_in, library, slug):
    response = logged_in.get(reverse("scripts:script", args=[slug]))

    assert response.status_code == 200
    text = page_text(response)
    blocks = ordered_blocks(slug)
    positions = block_positions(text, blocks, STARTS)
    for block, start, end in zip(blocks, positions, positions[1:], strict=False):
        centrals = central_questions(block)
        found = [text.index(normalise(q.text), start) for q in centrals]
        assert found == sorted(found)
        assert all(start < at < end for at in found), block.title
        for question, at, next_at in zip(centrals, found, found[1:] + [end], strict=False):
            for help_question in question.help_questions.order_by("order"):
                help_at = text.index(normalise(help_question.text), at)
                assert at < help_at < next_at, help_question.text
    entries = response.context["timeline"]
    shown = {q.pk: [child.pk for child in q.children] for entry in entries for q in entry.central_questions}
    expected = {
        q.pk: list(q.help_questions.order_by("order").values_list("pk", flat=True))
        for q in Question.objects.filter(block__script__slug=slug, parent=None)
    }
    assert shown == expected


@pytest.mark.django_db
def test_it_shows_a_help_question_of_a_later_block_under_its_own_question(logged_in, library):
    slug = SLUGS[2]
    text = page_text(logged_in.get(reverse("scripts:script", args=[slug])))

    parent = Question.objects.get(text="Hoe kijken de professionals naar deze aanbevelingen?")
    help_question = parent.help_questions.get()
    last_block_at = text.index(normalise(f"2:10 {ordered_blocks(slug)[3].title}"))
    assert text.index(parent.text) < text.index(help_question.text) < last_block_at


@pytest.mark.django_db
def test_it_groups_the_central_questions_by_perspective(logged_in, library):
    slug = SLUGS[0]
    response = logged_in.get(reverse("scripts:script", args=[slug]))

    assert response.status_code == 200
    groups = [(key, [q.text for q in questions]) for key, _, questions in response.context["perspectives"]]
    expected = []
    for key in ["onderzoeker", "professional", "client", "omgeving"]:
        texts = list(
            Question.objects.filter(block__script__slug=slug, parent=None, perspective=key)
            .order_by("block__order", "order")
            .values_list("text", flat=True)
        )
        expected.append((key, texts))
    assert groups == expected
    text = page_text(response)
    # Below the timeline every central question comes again, under its perspective's label.
    previous_end = max(text.index(normalise(q)) for _, texts in expected for q in texts)
    labels = [normalise(str(label)) for _, label, _ in response.context["perspectives"]]
    for label, (_, texts) in zip(labels, expected, strict=True):
        found = [text.index(normalise(q), previous_end + 1) for q in texts]
        assert found == sorted(found)
        assert label in text[previous_end : found[0]]
        previous_end = found[-1]


@pytest.mark.django_db
def test_it_shows_tips_for_facilitators_and_participants_and_the_roles(logged_in, library):
    response = logged_in.get(reverse("scripts:script", args=[SLUGS[1]]))

    assert response.status_code == 200
    groups = [[tip.audience for tip in tips] for _, tips in response.context["tip_groups"]]
    assert groups == [[TipAudience.FACILITATOR] * 5, [TipAudience.PARTICIPANT] * 5]
    text = page_text(response)
    for audience in TipAudience:
        found = [text.index(normalise(tip.text)) for tip in Tip.objects.filter(audience=audience).order_by("order")]
        assert found == sorted(found)
    facilitator_tips = [text.index(normalise(t.text)) for t in Tip.objects.filter(audience=TipAudience.FACILITATOR)]
    participant_tips = [text.index(normalise(t.text)) for t in Tip.objects.filter(audience=TipAudience.PARTICIPANT)]
    assert max(facilitator_tips) < min(participant_tips)
    roles = [text.index(role.name) for role in Role.objects.order_by("order")]
    assert roles == sorted(roles)
    for role in Role.objects.all():
        assert normalise(role.description)[:60] in text[text.index(role.name) :]


@pytest.mark.django_db
def test_it_answers_404_for_an_unknown_script(logged_in, library):
    response = logged_in.get(reverse("scripts:script", args=["bestaat-niet"]))

    assert response.status_code == 404


@pytest.mark.django_db
def test_script_page_queries_do_not_grow_with_blocks_and_questions(logged_in, library, django_assert_num_queries):
    script = Script.objects.get(slug=SLUGS[2])
    url = reverse("scripts:script", args=[script.slug])
    logged_in.get(url)  # warm up the session and permission caches
    with CaptureQueriesContext(connection) as first:
        assert logged_in.get(url).status_code == 200

    add_blocks(script, 3, 5, list(AttentionPoint.objects.filter(phase=script.phase)[:3]))
    Tip.objects.create(method=script.method, audience=TipAudience.PARTICIPANT, order=99, text="Extra tip.")
    Role.objects.create(method=script.method, order=99, name="Extra rol", description="Kijkt mee.")

    with django_assert_num_queries(len(first)):
        response = logged_in.get(url)
    assert response.status_code == 200
    assert len(response.context["timeline"]) == 7
    assert response.context["total_minutes"] == 165
    text = page_text(response)
    assert "Extra vraag 7.4?" in text
    assert "Hulpvraag 7.4?" in text
    assert "2:45" in text


# The handout


@pytest.mark.django_db
@pytest.mark.parametrize("slug", SLUGS)
def test_it_renders_the_handout_as_pdf_with_every_block_and_question(logged_in, library, slug):
    response = logged_in.get(reverse("scripts:script_pdf", args=[slug]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response)
    script = Script.objects.get(slug=slug)
    assert normalise(script.title) in text
    for block in ordered_blocks(slug):
        assert normalise(block.title) in text
    questions = Question.objects.filter(block__script=script)
    assert questions.exclude(parent=None).exists() or slug == SLUGS[0]
    for question in questions:
        assert normalise(question.text)[:40] in text, question.text


@pytest.mark.django_db
def test_it_answers_404_for_the_handout_of_an_unknown_script(logged_in, library):
    response = logged_in.get(reverse("scripts:script_pdf", args=["bestaat-niet"]))

    assert response.status_code == 404
