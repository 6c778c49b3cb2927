"""The concise report (issue 16 §1): only what the session yielded, the times appendix only when chosen.

A finished Gesprekstafel 3 with notes under some questions only: every step of the script nobody
noted under stays out of the PDF and the preview, and nothing says "no notes".
"""

import html

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sessies import harvest, reports, timeline
from sessies.models import Agreement, Report, SessionStep
from tests.factories import SessionFactory, table_participants
from tests.sessies.test_report import normalised, pdf_text

pytestmark = pytest.mark.django_db

CLOSING_PROMPTS = ("Hoe blijven we de impact monitoren?", "Hoe houden we contact?")
NO_NOTES = ("Geen notities", "No notes")
APPENDIX = ("Bijlage: geplande en werkelijke tijden", "Appendix: planned and actual times")
ADJUSTMENTS = ("Aanpassingen tijdens de sessie", "Adjustments during the session")


@pytest.fixture
def gt3(project, facilitator, secretary):
    """A finished Gesprekstafel 3: notes under the first question of rounds 1 and 2, a general note and
    an agreement in the closing block, one block extended; nothing under any other step."""
    session = SessionFactory(
        script_slug="gesprekstafel-3-implementatie",
        project=project,
        title="Gesprekstafel 3 – Implementatie",
        place="Stadskantoor, zaal 3",
        facilitator=facilitator,
        secretary=secretary,
        participants=table_participants(),
    )
    session = timeline.start(session.pk, session.timeline_version, by=facilitator)
    session = timeline.extend_current_block(session.pk, session.timeline_version, by=facilitator)
    blocks = list(session.blocks.prefetch_related("steps"))
    noted = []
    for block in blocks[1:3]:
        question = block.outline.main_questions()[0]
        noted.append(question)
        harvest.add_note(
            session,
            block_id=block.pk,
            question_id=question.pk,
            author=secretary,
            text=f"Opbrengst onder {block.title}",
            tag="opbrengst",
        )
    harvest.add_note(
        session,
        block_id=blocks[1].pk,
        question_id=noted[0].pk,
        author=secretary,
        text="* Producten werken",
        tag="opbrengst",
    )
    harvest.add_note(
        session, block_id=blocks[3].pk, author=secretary, text="Terugkomdag in maart afgesproken", tag="afspraak"
    )
    Agreement.objects.create(
        session=session, block=blocks[3], who="Onderzoeker", what="Factsheet rondsturen", when="voor 1 maart"
    )
    session.refresh_from_db()
    session = timeline.finish(session.pk, session.timeline_version, by=facilitator)
    session.noted = noted
    return session


def unnoted_step_texts(session):
    """The text and guidance of every step of the session's script that nobody noted under."""
    noted = {question.pk for question in session.noted}
    texts = []
    for step in SessionStep.objects.filter(block__session=session):
        if step.pk not in noted:
            texts.append(step.text)
        if step.guidance:
            texts.append(step.guidance)  # the report never prints guidance, not even for a noted question
    return [normalised(text) for text in texts]


def appears(text, content):
    """Whether a step's text shows in `content`: in full or by its first 40 characters (line breaks in a
    PDF can split a long text)."""
    return text in content or text[:40] in content


def article(client, session):
    page = client.get(reverse("sessions:report", args=[session.pk])).content.decode()
    return normalised(html.unescape(page.split('<article class="report">')[1].split("</article>")[0]))


def draft_pdf_text(client, session):
    response = client.get(reverse("sessions:report_pdf", args=[session.pk]))
    assert response.status_code == 200
    return pdf_text(response.content)[0]


def set_times(client, session, value):
    return client.post(reverse("sessions:report_times", args=[session.pk]), {"include_times": value})


def test_the_pdf_and_preview_hold_only_what_was_noted(client, gt3, secretary):
    client.force_login(secretary)
    texts = {"pdf": draft_pdf_text(client, gt3), "preview": article(client, gt3)}
    unnoted = unnoted_step_texts(gt3)
    assert len(unnoted) > 30  # the script has many more steps than were noted under
    for where, content in texts.items():
        for question in gt3.noted:
            assert normalised(question.text)[:50] in content, where
        assert "Opbrengst onder Gesprekstafel – ronde 1" in content, where
        assert "Producten werken" in content and "Terugkomdag in maart afgesproken" in content, where
        assert "Factsheet rondsturen" in content and "voor 1 maart" in content, where
        for text in unnoted:
            assert not appears(text, content), (where, text)
        for prompt in CLOSING_PROMPTS:
            assert prompt not in content, where
        for phrase in NO_NOTES + APPENDIX + ADJUSTMENTS:
            assert phrase not in content, (where, phrase)
        # Rounds and questions nobody noted under are left out; the noted blocks keep their heading.
        assert "Inleiding" not in content, where
        assert "Samenvatten belangrijkste opbrengsten + afsluiting" in content, where


def test_the_header_counts_participants_and_names_roles_not_people(client, gt3, secretary):
    client.force_login(secretary)
    text = draft_pdf_text(client, gt3)
    assert "Plaats Stadskantoor, zaal 3" in text
    assert "Deelnemers 3" in text
    assert "Gespreksleider, secretaris, professional, cliënt(vertegenwoordiger), beleid en management" in text
    for name in ("Petra Professional", "Bram Beleid", "Carla Cliënt", "Gijs", "Sanne"):
        assert name not in text


def test_a_report_without_key_harvest_or_agreements_leaves_those_sections_out(client, gt3, secretary):
    gt3.notes.filter(is_key=True).update(is_key=False)
    gt3.agreements.all().delete()
    client.force_login(secretary)
    content = article(client, gt3)
    assert "Belangrijkste opbrengsten" not in content and "Afspraken" not in content
    assert "Er zijn geen" not in content and "No key harvest" not in content and "No agreements" not in content
    assert "Producten werken" in content


def test_the_times_appendix_with_the_adjustments_only_when_chosen(client, gt3, facilitator):
    adjustment = normalised(gt3.adjustments.get().description)
    client.force_login(facilitator)
    assert adjustment not in draft_pdf_text(client, gt3)

    response = set_times(client, gt3, "1")
    assert response.status_code == 302 and response["Location"] == reverse("sessions:report", args=[gt3.pk])
    assert Report.objects.get(session=gt3).include_times is True
    for content in (draft_pdf_text(client, gt3), article(client, gt3)):
        assert APPENDIX[0] in content and ADJUSTMENTS[0] in content and adjustment in content
        assert "Inleiding" in content  # every block has its row, noted or not
        # Still no prompts: the appendix lists blocks, not steps.
        for prompt in CLOSING_PROMPTS:
            assert prompt not in content

    assert set_times(client, gt3, "0").status_code == 302
    assert Report.objects.get(session=gt3).include_times is False
    text = draft_pdf_text(client, gt3)
    assert APPENDIX[0] not in text and adjustment not in text


def test_the_approved_pdf_follows_the_setting_and_a_change_withdraws_the_approval(client, gt3, secretary):
    client.force_login(secretary)
    set_times(client, gt3, "1")
    client.post(reverse("sessions:report_approve", args=[gt3.pk]))
    report = Report.objects.get(session=gt3)
    assert report.is_approved
    assert APPENDIX[0] in pdf_text(bytes(report.pdf))[0]

    # The same choice again changes nothing; another choice withdraws the approval.
    set_times(client, gt3, "1")
    assert Report.objects.get(session=gt3).is_approved
    set_times(client, gt3, "0")
    report = Report.objects.get(session=gt3)
    assert not report.is_approved and report.include_times is False
    client.post(reverse("sessions:report_approve", args=[gt3.pk]))
    assert APPENDIX[0] not in pdf_text(bytes(Report.objects.get(session=gt3).pdf))[0]


@pytest.mark.parametrize(
    "who, status", [("secretary", 302), ("facilitator", 302), ("researcher", 403), ("outsider", 404)]
)
def test_only_those_who_edit_the_report_switch_the_times(client, gt3, request, who, status):
    client.force_login(request.getfixturevalue(who))
    assert set_times(client, gt3, "1").status_code == status
    included = Report.objects.filter(session=gt3, include_times=True).exists()
    assert included is (status == 302)


def test_the_times_switch_is_a_post(client, gt3, secretary):
    client.force_login(secretary)
    assert client.get(reverse("sessions:report_times", args=[gt3.pk])).status_code == 405


@pytest.mark.parametrize("data", [{"include_times": "misschien"}, {}])
def test_a_bad_times_choice_is_refused_with_a_message_and_changes_nothing(client, gt3, secretary, english, data):
    client.force_login(secretary)
    set_times(client, gt3, "1")
    response = client.post(reverse("sessions:report_times", args=[gt3.pk]), data)
    assert response.status_code == 422
    assert "Choose whether the report includes the times appendix." in response.content.decode()
    assert Report.objects.get(session=gt3).include_times is True


def test_the_editor_offers_the_times_switch_and_says_where_agreed_matters_go(client, gt3, secretary, english):
    client.force_login(secretary)
    page = client.get(reverse("sessions:report", args=[gt3.pk])).content.decode()
    assert f'action="{reverse("sessions:report_times", args=[gt3.pk])}"' in page
    assert 'name="include_times" value="0"' in page and 'name="include_times" value="1"' in page
    assert "The practical matters and follow-up agreed in the session, in your own words." in page
    assert "the script's questions never appear as outcomes" in page


def test_readers_who_may_not_edit_see_no_times_switch(client, gt3, researcher):
    client.force_login(researcher)
    page = client.get(reverse("sessions:report", args=[gt3.pk])).content.decode()
    assert reverse("sessions:report_times", args=[gt3.pk]) not in page


def test_the_report_page_costs_the_same_queries_however_many_notes(
    client, gt3, secretary, add_notes, django_assert_num_queries
):
    report = reports.report_for(gt3)
    report.include_times = True
    report.save(update_fields=["include_times"])
    client.force_login(secretary)
    url = reverse("sessions:report", args=[gt3.pk])
    client.get(url)  # warm the caches a first request fills
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    add_notes(gt3, 120)
    with django_assert_num_queries(len(few)):
        page = client.get(url).content.decode()
    assert "Opbrengst 119" in page
