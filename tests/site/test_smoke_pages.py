import pytest
from django.urls import reverse

from sessies import timeline


@pytest.mark.django_db
def test_it_renders_every_main_page_for_the_facilitator(client, session, facilitator, admin_user):
    client.force_login(facilitator)
    urls = [
        reverse("dashboard"),
        reverse("framework:framework"),
        reverse("framework:phase", args=[1]),
        reverse("scripts:library"),
        reverse("scripts:script", args=["gesprekstafel-1-start"]),
        reverse("sessions:list"),
        reverse("sessions:create"),
        reverse("sessions:detail", args=[session.pk]),
        reverse("sessions:run", args=[session.pk]),
        reverse("sessions:notes", args=[session.pk]),
        reverse("sessions:projector", args=[session.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
    timeline.start(session.pk, session.timeline_version)
    for url in urls[-3:]:
        assert client.get(url).status_code == 200, url
