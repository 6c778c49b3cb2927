import html as html_module
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from draaiboeken.models import Audience, Block, Reading, WorkFormCategory, WorkFormTool
from sessies import timeline
from tests.conftest import HTMX


@pytest.fixture
def workforms(db):
    call_command("loaddata", "fixtures/werkvormen.json", verbosity=0)


@pytest.mark.django_db
def test_it_lists_every_work_form_by_category(client, workforms, facilitator):
    client.force_login(facilitator)
    html = client.get(reverse("workforms:list")).content.decode()
    for tool in WorkFormTool.objects.all():
        assert tool.name.replace("&", "&amp;") in html
    for category in WorkFormCategory.objects.all():
        assert category.name in html


@pytest.mark.django_db
def test_it_searches_by_text(client, workforms, facilitator):
    client.force_login(facilitator)
    response = client.get(reverse("workforms:list"), {"q": "wereldcafé"})
    tools = list(response.context["tools"])
    assert [tool.name for tool in tools] == ["Wereldcafé"]


@pytest.mark.django_db
def test_it_searches_the_description_too(client, workforms, facilitator):
    client.force_login(facilitator)
    tool = WorkFormTool.objects.get(name="Praatplaat")
    word = "visuele kaart"
    assert word in tool.description
    response = client.get(reverse("workforms:list"), {"q": word})
    assert tool in list(response.context["tools"])


@pytest.mark.django_db
def test_it_filters_by_category(client, workforms, facilitator):
    client.force_login(facilitator)
    response = client.get(reverse("workforms:list"), {"categorie": 3})
    assert {tool.category.number for tool in response.context["tools"]} == {3}
    assert len(response.context["tools"]) == WorkFormTool.objects.filter(category__number=3).count()


@pytest.mark.django_db
def test_it_filters_by_who_takes_part(client, workforms, facilitator):
    client.force_login(facilitator)
    audience = Audience.objects.get(slug="professionals")
    response = client.get(reverse("workforms:list"), {"met_wie": "professionals"})
    tools = list(response.context["tools"])
    assert tools and all(audience in tool.audiences.all() for tool in tools)
    assert len(tools) == audience.tools.count()


@pytest.mark.django_db
def test_it_answers_htmx_with_the_results_only(client, workforms, facilitator):
    client.force_login(facilitator)
    response = client.get(reverse("workforms:list"), {"q": "theater"}, headers=HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results"')
    assert "Theater" in html and "<nav" not in html


@pytest.mark.django_db
def test_it_ignores_an_unknown_category(client, workforms, facilitator):
    client.force_login(facilitator)
    response = client.get(reverse("workforms:list"), {"categorie": 99})
    assert response.status_code == 200


@pytest.mark.django_db
def test_it_shows_a_work_form(client, workforms, facilitator):
    client.force_login(facilitator)
    tool = WorkFormTool.objects.get(name="Dialoogtafel")
    html = client.get(tool.get_absolute_url()).content.decode()
    assert tool.when[:40] in html and tool.with_whom[:30] in html


def _add_tools(count):
    category = WorkFormCategory.objects.first()
    audience = Audience.objects.first()
    for index in range(count):
        tool = WorkFormTool.objects.create(
            category=category,
            code=f"9.{index}",
            order=100 + index,
            name=f"Extra {index}",
            when="x",
            with_whom="y",
            description="z",
        )
        tool.audiences.add(audience)


@pytest.mark.django_db
def test_it_keeps_the_query_count_with_more_work_forms(client, workforms, facilitator, django_assert_num_queries):
    client.force_login(facilitator)
    url = reverse("workforms:list")
    client.get(url)  # warm the session and user caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get(url, {"met_wie": "inwoners"})
    _add_tools(20)
    with django_assert_num_queries(len(before.captured_queries)):
        client.get(url, {"met_wie": "inwoners"})


@pytest.mark.django_db
def test_it_shows_a_blocks_work_forms_in_the_run_view(client, library, workforms, session, facilitator):
    tool = WorkFormTool.objects.get(name="Wereldcafé")
    first = session.blocks.first()
    first.work_forms.add(tool)
    timeline.start(session.pk, session.timeline_version)
    client.force_login(facilitator)
    html = client.get(reverse("sessions:run", args=[session.pk])).content.decode()
    assert "Wereldcafé" in html and tool.get_absolute_url() in html


@pytest.mark.django_db
def test_it_copies_a_script_blocks_work_forms_into_a_new_session(library, workforms, project, facilitator, secretary):
    from django.utils import timezone

    from draaiboeken.models import Script
    from sessies.planning import create_session

    script = Script.objects.get(slug="gesprekstafel-1-start")
    block = Block.objects.filter(script=script).order_by("order")[1]
    block.work_forms.add(WorkFormTool.objects.get(name="Dialoogtafel"))
    session = create_session(
        script=script,
        project=project,
        title="T",
        starts_at=timezone.now(),
        facilitator=facilitator,
        secretary=secretary,
    )
    assert [t.name for t in session.blocks.all()[1].work_forms.all()] == ["Dialoogtafel"]


def anchors(html):
    """Every link of the page: (its attributes, its visible text)."""
    found = []
    for attributes, body in re.findall(r"<a\b([^>]*)>(.*?)</a>", html, re.S):
        found.append(
            (dict(re.findall(r'([\w-]+)="([^"]*)"', attributes)), " ".join(re.sub(r"<[^>]+>", " ", body).split()))
        )
    return found


def readings_list(html):
    return re.search(r'<ul class="readings">(.*?)</ul>', html, re.S).group(1)


@pytest.mark.django_db
def test_it_links_every_further_reading_in_a_new_tab(client, workforms, facilitator):
    client.force_login(facilitator)
    tools = WorkFormTool.objects.filter(readings__isnull=False).distinct()
    assert tools.count() > 20
    for tool in tools:
        html = client.get(tool.get_absolute_url()).content.decode()
        links = anchors(readings_list(html))
        expected = [
            ({"href": escape(reading.url), "target": "_blank", "rel": "noopener noreferrer"}, reading.title)
            for reading in tool.readings.order_by("order", "pk")
            if reading.url
        ]
        assert [(attrs, html_module.unescape(text)) for attrs, text in links] == [
            (attrs, " ".join(title.split())) for attrs, title in expected
        ], tool.code


@pytest.mark.django_db
def test_it_shows_the_world_cafe_readings_in_the_sources_order(client, workforms, facilitator):
    client.force_login(facilitator)
    tool = WorkFormTool.objects.get(name="Wereldcafé")
    html = client.get(tool.get_absolute_url()).content.decode()
    links = anchors(readings_list(html))
    assert [(attrs["href"], text) for attrs, text in links][-1] == (
        "http://www.theworldcafe.com/",
        "Bekijk de website van The World Cafe",
    )
    assert len(links) == 3


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<b>x</b>",
        "//evil.example/x",
    ],
)
def test_it_shows_a_reading_without_a_web_address_as_plain_text(client, workforms, facilitator, url):
    client.force_login(facilitator)
    tool = WorkFormTool.objects.get(name="Wereldcafé")
    # Straight into the database, past the form's URL validation (as a bad fixture would).
    Reading.objects.create(tool=tool, order=99, title="Klik hier voor meer", url=url)

    html = client.get(tool.get_absolute_url()).content.decode()

    listed = readings_list(html)
    assert "<li>Klik hier voor meer</li>" in listed
    assert all("Klik hier" not in text for _, text in anchors(html))
    assert "javascript:" not in html.lower()
    assert "evil.example" not in html
    hrefs = [attrs.get("href", "") for attrs, _ in anchors(html)]
    assert all(not href.lower().lstrip().startswith(("javascript:", "data:")) for href in hrefs)
    # The real links of the tool stay links.
    assert len(anchors(listed)) == 3


@pytest.mark.django_db
def test_it_shows_a_reading_without_a_link_as_plain_text(client, workforms, facilitator):
    client.force_login(facilitator)
    reading = Reading.objects.get(url="")
    html = client.get(reading.tool.get_absolute_url()).content.decode()
    assert f"<li>{escape(reading.title)}</li>" in readings_list(html)


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["3.2", "3.3"])
def test_it_shows_the_purpose_under_purpose(client, workforms, facilitator, code):
    client.force_login(facilitator)
    tool = WorkFormTool.objects.get(code=code)
    assert tool.purpose and not tool.when
    response = client.get(tool.get_absolute_url())
    html = response.content.decode()
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        purpose, when = gettext("Purpose"), gettext("When")
    entry = re.search(rf"<dt>{re.escape(purpose)}</dt>\s*<dd>(.*?)</dd>", html, re.S)
    assert entry
    assert " ".join(re.sub(r"<br>", " ", entry.group(1)).split()) == " ".join(escape(tool.purpose).split())
    assert f"<dt>{when}</dt>" not in html
