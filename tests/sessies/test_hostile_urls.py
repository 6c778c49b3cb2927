"""Walk every URL pattern of the site with every role and hostile values: nothing answers 500.

First, the members of another project (researcher, facilitator, secretary there) try every URL
of this project and of its sessions, GET and POST: each answers 404, as if it did not exist.

The patterns come from the resolver, so a new page is walked without touching this module
(a new path parameter fails loudly until the walker is given a valid value for it). Every role
opens every pattern with valid values; each query parameter and form field then meets every
hostile value (GET and POST, plain and htmx), the signed-in roles taking turns; each path
parameter gets another team's id (every role) and hostile values. Values a converter cannot
match never reach a view, so those go by one role only. Sessions stored with dates from
before the date bounds are opened too. The data is built once for the module, in a
transaction rolled back at the end; about 1,900 requests take some 15 s on SQLite.
"""

import datetime as dt
import re

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from django.utils import timezone

from sessies import harvest, roles, timeline
from sessies.models import Delivery, DeliveryStatus, JoinLink, Participant, Report, ReportVersion, Session, SessionState

ROLES = ["anonymous", "admin", "facilitator", "secretary", "researcher", "outsider"]
SIGNED_IN = ROLES[1:]

# Sent as the value of every form field, query parameter and (where it fits) path parameter.
HOSTILE_VALUES = [
    "0",
    "-1",
    str(2**63),
    "²",
    "x" * 11_000,
    "../'\"<script>alert(1)</script>",
    "a\x00b",
    "9999-12-31T23:59",
]
# Path values per converter; the ones the converter cannot match are sent by one role only.
HOSTILE_PATH_VALUES = {
    "int": ["0", str(2**63), "-1", "²", "..%2F", "%00"],
    "slug": ["0", "-", "x" * 300, "__", "²", "..%2F", "%27%22%3Cscript%3E", "%00"],
    "str": ["0", "x" * 300, "²", "%27%22%3Cscript%3E", "%00"],
    "path": ["0", "x" * 300, "../../etc/passwd", "%00"],
}
# Every name a form or view of the site reads, filled with the hostile value.
FORM_FIELDS = [
    "version",
    "text",
    "tag",
    "block",
    "question",
    "client_token",
    "kind",
    "is_key",
    "from",
    "force",
    "who",
    "what",
    "when",
    "summary",
    "closing_remark",
    "action",
    "status",
    "note",
    "title",
    "organisation",
    "description",
    "current_phase",
    "ended_on",
    "role",
    "user",
    "name",
    "email",
    "member-user",
    "member-role",
    "contact-name",
    "contact-email",
    "contact-organisation",
    "contact-role",
    "project",
    "script",
    "starts_at",
    "place",
    "facilitator",
    "secretary",
    "recipients",
    "extra_addresses",
    "subject",
    "message",
    "confirm_resend",
    "language",
    "next",
    "username",
    "password",
    "q",
    "categorie",
    "met_wie",
]
FORM_FIELDS += ["caption", "order", "camera", "file"]  # the photos of the flip-overs
# Participants' phones and the secretary's proposals (sessies.participation).
FORM_FIELDS += ["sender", "accept", "dismiss", "block", "merge", "selected", "shown"]
# The draft report's review (sessies.review).
FORM_FIELDS += ["invitation", "comment", "resolution", "reply", "section"]
QUERY_PARAMETERS = ["project", "script", "view", "v", "q", "categorie", "met_wie", "next", "page"]
HTMX = {"HTTP_HX_REQUEST": "true"}


def walked_patterns():
    """(route, name, converters) of every pattern outside the admin, from the resolver."""
    found = []

    def walk(patterns, prefix, namespace, converters):
        for entry in patterns:
            assert isinstance(entry.pattern, RoutePattern), f"not a route: {entry.pattern!r}; teach the walker"
            route = prefix + str(entry.pattern)
            joined = {**converters, **entry.pattern.converters}
            if isinstance(entry, URLResolver):
                if entry.namespace == "admin" or route.startswith(("admin/", "static/")):
                    continue
                walk(entry.url_patterns, route, entry.namespace or namespace, joined)
            else:
                assert isinstance(entry, URLPattern)
                found.append((route, f"{namespace}:{entry.name}" if namespace else entry.name, joined))

    walk(get_resolver().url_patterns, "", None, {})
    return found


PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def converter_name(route, name):
    match = next(m for m in PARAMETER.finditer(route) if m.group("name") == name)
    return match.group("converter") or "str"


def fill(route, values):
    return "/" + PARAMETER.sub(lambda m: str(values[m.group("name")]), route)


def matches(converters, name, value):
    return re.fullmatch(converters[name].regex, value) is not None


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    # The photos' files go to a directory of their own, never the checkout's media folder.
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _user(username, group=None, **extra):
    from django.contrib.auth import get_user_model

    # No password: the clients sign in with force_login, and hashing would cost seconds.
    user = get_user_model().objects.create_user(username=username, email=f"{username}@example.org", **extra)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def build_world():
    from draaiboeken.models import Script, WorkFormCategory, WorkFormTool
    from kader.models import AttentionPoint, Contact, Membership, Phase, ProjectRole, ResearchProject
    from sessies.planning import create_session

    call_command("loaddata", "fixtures/kader.json", "fixtures/draaiboeken.json", verbosity=0)
    users = {
        "admin": _user("bea", roles.ADMINS, is_staff=True),
        "facilitator": _user("gijs", roles.FACILITATORS),
        "secretary": _user("sanne", roles.SECRETARIES),
        "researcher": _user("olga", roles.RESEARCHERS),
        "outsider": _user("otto", roles.RESEARCHERS),
    }
    other_facilitator, other_secretary = _user("fred", roles.FACILITATORS), _user("sara", roles.SECRETARIES)
    # The members of another project, each in the role their group suggests: nothing of this project is theirs.
    others = {
        "researcher": _user("rik", roles.RESEARCHERS),
        "facilitator": other_facilitator,
        "secretary": other_secretary,
    }
    phase = Phase.objects.get(number=1)
    project = ResearchProject.objects.create(title="Vroegsignalering", current_phase=phase)
    Membership.objects.create(project=project, user=users["researcher"], role=ProjectRole.RESEARCHER)
    # An account that is no walker's: adding and removing it changes nobody's access during the walk.
    extra = _user("xander", roles.SECRETARIES)
    membership = Membership.objects.create(project=project, user=extra, role=ProjectRole.SECRETARY)
    contact = Contact.objects.create(project=project, name="Petra Contact", email="petra.contact@example.org")
    other_project = ResearchProject.objects.create(title="Elders", current_phase=phase)
    other_roles = {
        "researcher": ProjectRole.RESEARCHER,
        "facilitator": ProjectRole.FACILITATOR,
        "secretary": ProjectRole.SECRETARY,
    }
    for name, user in others.items():
        Membership.objects.create(project=other_project, user=user, role=other_roles[name])
    foreign_membership = other_project.memberships.first()
    foreign_contact = Contact.objects.create(project=other_project, name="Geheim", email="geheim@example.org")
    script = Script.objects.get(slug="gesprekstafel-1-start")

    def plan(project, facilitator, secretary, **fields):
        return create_session(
            script=script,
            project=project,
            title="Gesprekstafel",
            starts_at=timezone.now(),
            place="Zaal 3",
            facilitator=facilitator,
            secretary=secretary,
            participants=[Participant(name="Petra", email="petra@example.org", role="professional")],
            **fields,
        )

    def harvest_in(session, author):
        block = session.blocks.first()
        note = harvest.add_note(session, block_id=block.pk, text="Een notitie", tag="opbrengst", author=author)
        agreement = harvest.add_agreement(session, who="Petra", what="Bellen", when="morgen", block=block)
        return note, agreement

    # The main session runs, has notes, an agreement and a failed delivery.
    session = plan(project, users["facilitator"], users["secretary"])
    note, agreement = harvest_in(session, users["secretary"])
    timeline.start(session.pk, session.timeline_version)
    report = Report.objects.create(session=session)
    ReportVersion.objects.create(report=report, number=1, pdf=b"%PDF-1.7", sha256="0" * 64, approved_at=timezone.now())
    Delivery.objects.create(report=report, email="petra@example.org", status=DeliveryStatus.FAILED, last_error="x")
    # Another team's session: its ids must never reach into the main one.
    foreign = plan(other_project, other_facilitator, other_secretary)
    foreign_note, foreign_agreement = harvest_in(foreign, other_secretary)
    # Sessions stored before the date bounds existed (written past the validators): pages still render.
    ancient = plan(project, users["facilitator"], users["secretary"])
    far = plan(project, users["facilitator"], users["secretary"])
    Session.objects.filter(pk=ancient.pk).update(starts_at=dt.datetime(1, 1, 1, tzinfo=dt.UTC))
    end = dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.UTC)
    Session.objects.filter(pk=far.pk).update(
        starts_at=end,
        started_at=end,
        planned_end_at=end,
        finished_at=end,
        state=SessionState.FINISHED,
        current_block=far.blocks.last(),
    )
    photo, foreign_photo = photo_in(session), photo_in(foreign)
    category = WorkFormCategory.objects.create(number=1, name="Verkennen")
    tool = WorkFormTool.objects.create(category=category, code="1.1", name="Tafelgesprek")
    point = AttentionPoint.objects.filter(phase=phase).first()
    join = JoinLink.objects.create(session=session, token="deelnemers-link-van-de-sessie")
    foreign_join = JoinLink.objects.create(session=foreign, token="link-van-een-ander-team")
    invitation = review_invitation(session, "meelezen-token-van-de-sessie")
    foreign_invitation = review_invitation(foreign, "meelezen-token-van-een-ander-team")
    valid = {
        "sessions": {
            "pk": session.pk,
            "note_pk": note.pk,
            "agreement_pk": agreement.pk,
            "action": "volgende",
            "number": 1,
            "photo_pk": photo.pk,
            "token": join.token,
        },
        "projects": {
            "pk": project.pk,
            "number": 1,
            "point_pk": point.pk,
            "membership_pk": membership.pk,
            "contact_pk": contact.pk,
        },
        "framework": {"number": 1},
        "scripts": {"slug": script.slug},
        "workforms": {"pk": tool.pk},
        "participate": {"token": join.token},
        "review": {"token": invitation.token},
    }
    foreign_values = {
        "sessions": {
            "pk": [foreign.pk],
            "note_pk": [foreign_note.pk],
            "agreement_pk": [foreign_agreement.pk],
            "action": ["onbekend", "start"],
            "number": [2],
            "photo_pk": [foreign_photo.pk],
            "token": [foreign_join.token, "geraden-token"],
        },
        "projects": {
            "pk": [other_project.pk],
            "number": [4],
            "point_pk": [point.pk + 10_000],
            "membership_pk": [foreign_membership.pk],
            "contact_pk": [foreign_contact.pk],
        },
        "framework": {"number": [4]},
        "scripts": {"slug": ["onbekend"]},
        "workforms": {"pk": [tool.pk + 1]},
        "participate": {"token": [foreign_join.token, "geraden-token"]},
        "review": {"token": [foreign_invitation.token, "geraden-token"]},
    }
    return {
        "users": users,
        "others": others,
        "extra": extra,
        "contact": contact,
        "session": session,
        "valid": valid,
        "foreign": foreign_values,
        "odd_sessions": [ancient.pk, far.pk],
        "point": point,
        "other_participant": foreign.participants.first(),
    }


def review_invitation(session, token):
    """An open invitation to review `session`'s draft report."""
    from datetime import timedelta

    from django.utils import timezone

    from sessies.models import ReviewInvitation
    from sessies.reports import report_for

    return ReviewInvitation.objects.create(
        report=report_for(session),
        name="Lezer",
        email="lezer@example.org",
        token=token,
        expires_at=timezone.now() + timedelta(days=14),
    )


def photo_in(session):
    """A stored photo of a flip-over (a tiny JPEG) in `session`."""
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    from sessies.models import SessionPhoto

    buffer = io.BytesIO()
    Image.new("RGB", (4, 3), "white").save(buffer, "JPEG")
    photo = SessionPhoto(session=session, caption="Flap", width=4, height=3)
    photo.image.save("flap.jpg", ContentFile(buffer.getvalue()))
    return photo


def mixed(names, offset):
    """Each name gets a hostile value; across offsets every name meets every value."""
    return {name: HOSTILE_VALUES[(index + offset) % len(HOSTILE_VALUES)] for index, name in enumerate(names)}


def form_body(world, offset, *, plausible):
    """Every field hostile; or `plausible`: real ids and the current version, the rest hostile."""
    session = Session.objects.get(pk=world["session"].pk)
    block = session.blocks.first()
    point = world["point"]
    names = FORM_FIELDS + [f"p{point.pk}-status", f"p{point.pk}-note", f"p{point.pk}-version"]
    names += [f"contact-{world['contact'].pk}-{name}" for name in ("name", "email", "organisation", "role")]
    names += [
        f"{prefix}-{name}" for prefix in ("deelnemers", "blokken") for name in ("TOTAL_FORMS", "INITIAL_FORMS", "0-id")
    ]
    body = mixed(
        names
        + ["deelnemers-0-name", "deelnemers-0-email", "deelnemers-0-role", "blokken-0-order", "blokken-0-minutes"],
        offset,
    )
    if plausible:
        body |= {
            "version": str(session.timeline_version),
            "block": str(block.pk),
            "question": "",
            "deelnemers-TOTAL_FORMS": "1",
            "deelnemers-INITIAL_FORMS": "1",
            "deelnemers-0-id": str(world["other_participant"].pk),
            "blokken-TOTAL_FORMS": "1",
            "blokken-INITIAL_FORMS": "1",
            "blokken-0-id": str(block.pk),
            # Version 0 saves a new entry; any other is someone else's, which shows their version.
            f"p{point.pk}-status": "open",
            f"p{point.pk}-version": "0" if offset == 1 else str(offset),
            # A real account and role: adds the extra account (as facilitator: it is a secretary already).
            "member-user": str(world["extra"].pk),
            "member-role": "gespreksleider" if offset == 1 else "secretaris",
        }
    return body


class Walk:
    def __init__(self, clients, users):
        self.clients, self.users = clients, users
        self.failures = {}
        self.count = 0

    def request(self, role, method, url, data=None, name="", **headers):
        client = self.clients[role]
        response = getattr(client, method)(url, data or {}, **headers)
        self.count += 1
        if "logout" in name and role != "anonymous":
            client.force_login(self.users[role])  # walk on signed in
        templates = [t.name for t in response.templates]
        if response.status_code >= 500 or "500.html" in templates:
            error = getattr(response, "exc_info", None)
            reason = repr(error[1])[:160] if error else str(response.status_code)
            key = f"{name} {method.upper()}{' htmx' if headers else ''}: {reason}"
            self.failures.setdefault(key, []).append(f"{role} {url[:80]}")
        return response

    def report(self):
        return "\n".join(f"{key} ({len(cells)}x, e.g. {cells[0]})" for key, cells in self.failures.items())


def clients_for(world):
    clients = {}
    for role in ROLES:
        client = Client(raise_request_exception=False)
        if role != "anonymous":
            client.force_login(world["users"][role])
        clients[role] = client
    return clients


class LayoutSkipped:
    """Stands in for WeasyPrint: the PDF's template is rendered in full, its layout skipped.

    Laying out a PDF takes a tenth of a second or more; the walker would spend most of its time
    there. The real rendering of every PDF page is tested with the pages themselves.
    """

    def __init__(self, *, string, **kwargs):
        self.html = string

    def write_pdf(self):
        return b"%PDF-1.7 (layout skipped by the walker)"


GHOST_PK = 987_654_321


def this_projects_urls(world):
    """(name, url, ghost url) of every page of the project and of its session, with the ids of the
    walk's rows; the ghost url names a project or session that does not exist."""
    urls = []
    for route, name, converters in walked_patterns():
        namespace = name.split(":")[0]
        if namespace in ("projects", "sessions") and "pk" in converters:
            values = {param: world["valid"][namespace][param] for param in converters}
            urls.append((name, fill(route, values), fill(route, values | {"pk": GHOST_PK})))
    return urls


@pytest.mark.parametrize("other_role", ["researcher", "facilitator", "secretary"])
def test_a_member_of_another_project_gets_404_on_every_url_of_this_project_and_its_sessions(
    world, db, monkeypatch, other_role
):
    # Runs before the walk, which may remove the rows these URLs name.
    monkeypatch.setattr("gesprekstafels.lib.pdf.HTML", LayoutSkipped)
    monkeypatch.setattr("gesprekstafels.lib.pdf.URLFetcher", lambda **kwargs: None)
    from kader.models import Contact, Membership

    urls = this_projects_urls(world)
    assert {
        "projects:detail",
        "projects:people",
        "projects:member_remove",
        "projects:contact_edit",
        "sessions:detail",
        "sessions:note_edit",
        "sessions:report_send",
    } <= {name for name, _url, _ghost in urls}
    valid = world["valid"]["projects"]
    assert Membership.objects.filter(pk=valid["membership_pk"], project_id=valid["pk"]).exists()
    assert Contact.objects.filter(pk=valid["contact_pk"], project_id=valid["pk"]).exists()
    # Someone who sees everything reaches every one of these URLs: a 404 below is a refusal, not a typo.
    admin = Client(raise_request_exception=False)
    admin.force_login(world["users"]["admin"])
    admin_get = {name: admin.get(url).status_code for name, url, _ghost in urls}
    assert 404 not in admin_get.values(), admin_get
    stranger = Client(raise_request_exception=False)
    stranger.force_login(world["others"][other_role])
    requests = [("GET", {}, {}), ("POST", form_body(world, 1, plausible=True), {}), ("POST htmx", None, HTMX)]
    wrong, refused = [], 0
    for name, url, ghost in urls:
        for label, data, headers in requests:
            method = "get" if label == "GET" else "post"
            body = form_body(world, 1, plausible=True) if data is None else data
            response = getattr(stranger, method)(url, body, **headers)
            # The answer for a project or session that does not exist: 404, or 405 from a view
            # that takes only the other method whatever the id.
            expected = getattr(stranger, method)(ghost, body, **headers).status_code
            content = response.content.decode(errors="replace")
            if expected not in (404, 405) or response.status_code != expected or "Petra" in content:
                wrong.append(f"{name} {label}: {response.status_code} (a missing one: {expected})")
            refused += response.status_code == 404
    assert not wrong, wrong
    assert refused > len(requests) * len(urls) // 2  # not vacuous: most answers are refusals, few are 405
    assert Membership.objects.filter(pk=valid["membership_pk"]).exists()
    assert Contact.objects.get(pk=valid["contact_pk"]).name == "Petra Contact"


def test_every_url_pattern_with_every_role_and_hostile_values_answers_without_500(world, db, monkeypatch):
    monkeypatch.setattr("gesprekstafels.lib.pdf.HTML", LayoutSkipped)
    monkeypatch.setattr("gesprekstafels.lib.pdf.URLFetcher", lambda **kwargs: None)  # builds an SSL context
    patterns = walked_patterns()
    names = {name for _route, name, _c in patterns}
    # The walker sees the pages it is meant to see (a broken resolver walk would pass vacuously).
    assert {
        "dashboard",
        "sessions:transition",
        "sessions:report_pdf",
        "projects:checklist_entry",
        "scripts:script",
        "workforms:detail",
        "set_language",
    } <= names
    walk = Walk(clients_for(world), world["users"])
    for pattern_index, (route, name, converters) in enumerate(patterns):
        namespace = name.split(":")[0] if ":" in name else ""
        known = world["valid"].get(namespace, {})
        assert set(converters) <= set(known), (
            f"{name}: give the walker a valid value for {set(converters) - set(known)}"
        )
        valid = {param: known[param] for param in converters}
        url = fill(route, valid)
        for role in ROLES:
            walk.request(role, "get", url, name=name)
        # The anonymous are refused before any view reads query or body.
        walk.request("anonymous", "post", url, name=name)
        walk.request("anonymous", "post", url, name=name, **HTMX)
        # Each query parameter and form field meets every hostile value; the signed-in roles take turns.
        for offset in range(len(HOSTILE_VALUES)):
            role = SIGNED_IN[(pattern_index + offset) % len(SIGNED_IN)]
            walk.request(role, "get", url, mixed(QUERY_PARAMETERS, offset), name=name, **(HTMX if offset % 2 else {}))
            role = SIGNED_IN[(pattern_index + offset + 1) % len(SIGNED_IN)]
            body = form_body(world, offset, plausible=offset % 2 == 1)
            walk.request(role, "post", url, body, name=name, **(HTMX if offset % 4 in (1, 2) else {}))
        # One parameter at a time: another team's id (every role), then hostile values.
        for param in converters:
            kind = converter_name(route, param)
            foreign = [str(v) for v in world["foreign"][namespace].get(param, [])]
            for value in foreign + HOSTILE_PATH_VALUES[kind]:
                hostile_url = fill(route, {**valid, param: value})
                if value in foreign:
                    walkers = SIGNED_IN  # the role decides how far another team's id gets
                else:
                    walkers = ["admin"]  # passes every role check, so it reaches the deepest code
                for role in walkers:
                    walk.request(role, "get", hostile_url, name=name)
                    if matches(converters, param, value):  # else the resolver refuses it before any view
                        walk.request(role, "post", hostile_url, form_body(world, 1, plausible=True), name=name, **HTMX)
    # Sessions stored with dates out of today's bounds: every page of theirs, for everyone who sees them.
    for pk in world["odd_sessions"]:
        for route, name, converters in patterns:
            if not name.startswith("sessions:") or "pk" not in converters:
                continue
            url = fill(route, {**world["valid"]["sessions"], "pk": pk})
            for role in ("admin", "researcher"):  # sees every session; sees it through a project only
                walk.request(role, "get", url, name=name)
    assert walk.count > 1500
    assert not walk.failures, f"500s in {walk.count} requests:\n{walk.report()}"
