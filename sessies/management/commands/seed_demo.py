"""Demo accounts, one per role, and a demo project that shows the whole loop. Never for production.

`make run` calls this after migrating and loading the fixtures. Everything is looked up by a
stable marker (a username, the project's title, a session's title within the project), so a
second run adds nothing; the data is made through the same domain functions the views call.
Nothing is mailed: the demo report's deliveries are stored as sent.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from draaiboeken.models import Script
from kader.models import Contact, ContactRole, Membership, Phase, ProjectRole, ResearchProject
from sessies import harvest, reports, roles, timeline
from sessies.models import Agreement, Delivery, DeliveryStatus, Note, NoteTag, Participant, Report, ReportVersion
from sessies.planning import create_session

DEMO_ACCOUNTS = [
    # username, password, first name, last name, group, staff
    ("beheerder", "demo-beheerder", "Bea", "Beheer", roles.ADMINS, True),
    ("gespreksleider", "demo-gespreksleider", "Gijs", "Leider", roles.FACILITATORS, False),
    ("secretaris", "demo-secretaris", "Sanne", "Secretaris", roles.SECRETARIES, False),
    ("onderzoeker", "demo-onderzoeker", "Olga", "Onderzoeker", roles.RESEARCHERS, False),
]

# The stable markers a second run looks the demo data up by.
DEMO_PROJECT_TITLE = "Vroegsignalering schulden (demo)"
PLANNED_TITLE = "Gesprekstafel 1 – wijkteam Zuid"
FINISHED_TITLE = "Gesprekstafel 1 – wijkteam Noord"
SCRIPT_SLUG = "gesprekstafel-1-start"

# The demo users' parts in the project; the beheerder sees everything without being a member.
DEMO_MEMBERS = [
    ("onderzoeker", ProjectRole.RESEARCHER),
    ("gespreksleider", ProjectRole.FACILITATOR),
    ("secretaris", ProjectRole.SECRETARY),
]

# Fictional people; example.org addresses never reach anyone.
DEMO_CONTACTS = [
    # name, e-mail, organisation, role
    ("Wendy Wijkhuis", "wendy.wijkhuis@example.org", "Wijkteam Zuid", ContactRole.PROFESSIONAL),
    ("Sem Budding", "sem.budding@example.org", "Schuldhulpverlening Voorbeeldstad", ContactRole.PROFESSIONAL),
    (
        "Layla Kasbergen",
        "layla.kasbergen@example.org",
        "Woningcorporatie Thuis in Voorbeeldstad",
        ContactRole.PROFESSIONAL,
    ),
    (
        "Henk Beleidsma",
        "henk.beleidsma@example.org",
        "Gemeente Voorbeeldstad, team Armoede en schulden",
        ContactRole.POLICY,
    ),
    ("Ria Stemvast", "ria.stemvast@example.org", "Cliëntenraad Sociaal Domein Voorbeeldstad", ContactRole.CLIENT),
]
PLANNED_PARTICIPANTS = ["wendy.wijkhuis@example.org", "sem.budding@example.org", "ria.stemvast@example.org"]
FINISHED_PARTICIPANTS = [
    "sem.budding@example.org",
    "layla.kasbergen@example.org",
    "henk.beleidsma@example.org",
    "ria.stemvast@example.org",
]

# The finished session's harvest: per block (by order), per question (by position among the
# block's main questions), the notes as (tag, text, key harvest).
HARVEST = {
    2: {
        0: [
            (
                NoteTag.HARVEST,
                "Doel: signalen van betalingsachterstanden (huur, energie, zorgverzekering) eerder bij het wijkteam "
                "krijgen, zodat hulp start voordat schulden problematisch worden.",
                True,
            ),
            (
                NoteTag.QUOTE,
                "“Als mensen bij ons aankloppen, is het vaak al te laat: dan ligt er een stapel aanmaningen.”",
                False,
            ),
        ],
        1: [
            (
                NoteTag.HARVEST,
                "Professionals willen weten welke vroegsignalen het meest voorspellend zijn en hoe ze het gesprek "
                "erover openen zonder dat mensen zich schamen.",
                True,
            ),
            (
                NoteTag.ATTENTION,
                "Niet iedere professional mag signalen delen: wat de privacyregels (AVG, Wet gemeentelijke "
                "schuldhulpverlening) toestaan, moet vooraf helder zijn.",
                False,
            ),
        ],
        2: [
            (
                NoteTag.HARVEST,
                "Cliënten hebben baat bij één vast aanspreekpunt en een eerste gesprek binnen twee weken na het signaal.",
                False,
            ),
            (
                NoteTag.QUOTE,
                "“Ik durfde pas hulp te vragen toen de deurwaarder al was geweest.” (ervaring ingebracht door de "
                "cliëntvertegenwoordiger)",
                False,
            ),
        ],
    },
    3: {
        0: [
            (
                NoteTag.HARVEST,
                "Het onderzoek sluit aan bij het beleidsplan schuldhulpverlening; het management wil de eerste "
                "resultaten vóór de begroting van volgend jaar.",
                False,
            ),
            (
                NoteTag.ATTENTION,
                "Let op de werkdruk in het wijkteam: meedoen aan het onderzoek moet binnen de uren passen.",
                False,
            ),
        ],
        1: [
            (
                NoteTag.HARVEST,
                "De woningcorporatie en de energieleverancier hebben belang bij minder huisuitzettingen en "
                "afsluitingen; zij willen meedenken in een klankbordgroep.",
                True,
            ),
            (
                NoteTag.OTHER,
                "Vraag aan de onderzoeker: zijn er al cijfers over het aantal vroegsignalen per wijk?",
                False,
            ),
        ],
        2: [
            (
                NoteTag.HARVEST,
                "In wijk Noord loopt al een pilot met huisbezoeken na een signaal van de woningcorporatie; de "
                "ervaringen daarvan worden meegenomen.",
                False,
            ),
            (
                NoteTag.AGREEMENT,
                "Schuldhulpverlening deelt de evaluatie van de pilot huisbezoeken met de onderzoeker.",
                False,
            ),
        ],
    },
    4: {
        0: [
            (
                NoteTag.ATTENTION,
                "Ruimte voor professionals is er alleen als teamleiders uren vrijmaken; agenderen in het "
                "managementoverleg.",
                False,
            ),
        ],
        1: [
            (
                NoteTag.HARVEST,
                "Een looptijd van een jaar is haalbaar, als tussentijdse resultaten na drie maanden al met de "
                "professionals worden besproken.",
                False,
            ),
        ],
        2: [
            (
                NoteTag.OTHER,
                "De deelnemers waardeerden dat de cliëntvertegenwoordiger vanaf het begin aan tafel zat.",
                False,
            ),
            (
                NoteTag.QUOTE,
                "“Zo'n gesprek met alle partijen aan één tafel hadden we jaren geleden al moeten voeren.”",
                False,
            ),
            (
                NoteTag.AGREEMENT,
                "De volgende Gesprekstafel in het voorjaar, dan ook met iemand van de energieleverancier.",
                False,
            ),
        ],
    },
}

AGREEMENTS = [
    # block order, who, what, when
    (
        3,
        "Sem Budding (schuldhulpverlening)",
        "Evaluatie van de pilot huisbezoeken delen met de onderzoeker",
        "voor de volgende Gesprekstafel",
    ),
    (4, "Onderzoeker", "Aangescherpte onderzoeksopzet rondsturen aan de deelnemers", "binnen vier weken"),
    (
        4,
        "Henk Beleidsma (beleid)",
        "Uren voor deelname van professionals agenderen in het managementoverleg",
        "volgende maand",
    ),
]

SUMMARY = (
    "In deze eerste Gesprekstafel bespraken professionals van schuldhulpverlening en de woningcorporatie, samen "
    "met beleid en een cliëntvertegenwoordiger, de start van het onderzoek naar vroegsignalering van schulden. "
    "Het doel is helder: signalen van betalingsachterstanden eerder oppakken, zodat hulp start voordat schulden "
    "problematisch worden. Aandachtspunten zijn de privacyregels bij het delen van signalen en de ruimte die "
    "professionals krijgen om mee te doen."
)
CLOSING_REMARK = (
    "Dank aan alle deelnemers voor hun openheid. De onderzoeker stuurt binnen vier weken de aangescherpte "
    "onderzoeksopzet rond; de volgende Gesprekstafel is in het voorjaar."
)


class Command(BaseCommand):
    help = (
        "Create one demo account per role (or reset their passwords) and a demo research project with a "
        "planned and a finished Gesprekstafel. Demo only: the passwords are public. Refused when DEBUG is off."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-production-demo",
            action="store_true",
            help=(
                "Create the demo accounts and data even with DEBUG off. Only for a throw-away demo server that "
                "holds no real data: anyone who reads the README can log in with these accounts."
            ),
        )

    def handle(self, *args, allow_production_demo=False, **options):
        if not settings.DEBUG and not allow_production_demo:
            raise CommandError(
                "DEBUG is off, so this looks like a production install: no demo accounts or demo data were "
                "created (their passwords are public). On a throw-away demo server only, run "
                "'manage.py seed_demo --allow-production-demo'."
            )
        with transaction.atomic():
            users = self.seed_accounts()
            project = seed_project(users)
        self.stdout.write(f"  Demo project: {project.title}")
        self.stdout.write(self.style.WARNING("Demo accounts only: change or remove them on any shared server."))

    def seed_accounts(self):
        roles.ensure_role_groups()
        User = get_user_model()
        users = {}
        for username, password, first, last, group_name, staff in DEMO_ACCOUNTS:
            user, _ = User.objects.get_or_create(username=username)
            user.first_name, user.last_name, user.is_staff = first, last, staff
            user.email = f"{username}@example.org"
            user.set_password(password)
            user.save()
            user.groups.set([Group.objects.get(name=group_name)])
            users[username] = user
            self.stdout.write(f"  {group_name:<16} {username:<16} {password}")
        return users


def seed_project(users):
    """The demo project with its members, contacts and two sessions; only what is missing is added."""
    project, _ = ResearchProject.objects.get_or_create(
        title=DEMO_PROJECT_TITLE,
        defaults={
            "organisation": "Gemeente Voorbeeldstad",
            "description": (
                "Demo: hoe signalen van betalingsachterstanden eerder bij het wijkteam komen, zodat hulp start "
                "voordat schulden problematisch worden. Alle personen in dit project zijn verzonnen."
            ),
            "current_phase": Phase.objects.get(number=1),
        },
    )
    for username, role in DEMO_MEMBERS:
        Membership.objects.get_or_create(project=project, user=users[username], role=role)
    contacts = {}
    for name, email, organisation, role in DEMO_CONTACTS:
        contacts[email], _ = Contact.objects.get_or_create(
            project=project, email=email, defaults={"name": name, "organisation": organisation, "role": role}
        )
    script = Script.objects.get(slug=SCRIPT_SLUG)
    seed_planned_session(project, script, users, contacts)
    if not project.sessions.filter(title=FINISHED_TITLE).exists():
        seed_finished_session(project, script, users, contacts)
    return project


def participants_from(contacts, emails):
    return [
        Participant(
            contact=contact,
            name=contact.name,
            email=contact.email,
            organisation=contact.organisation,
            role=contact.role,  # the contact roles share their stored values with the participant roles
        )
        for contact in (contacts[email] for email in emails)
    ]


def next_full_hour():
    return timezone.localtime().replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


def seed_planned_session(project, script, users, contacts):
    session = project.sessions.filter(title=PLANNED_TITLE).first()
    if session is None:
        create_session(
            script=script,
            project=project,
            title=PLANNED_TITLE,
            starts_at=next_full_hour(),
            place="Wijkcentrum De Schakel, zaal 2",
            facilitator=users["gespreksleider"],
            secretary=users["secretaris"],
            created_by=users["gespreksleider"],
            participants=participants_from(contacts, PLANNED_PARTICIPANTS),
        )
    elif session.is_planned and session.starts_at < timezone.now():
        # A later `make run`: the demo's planned session is for today again, not a day long gone.
        session.starts_at = next_full_hour()
        session.save(update_fields=["starts_at"])
        session.bump_version()


def seed_finished_session(project, script, users, contacts):
    """Gesprekstafel 1 four weeks ago: run, harvested, reported, approved and sent (nothing mailed)."""
    facilitator, secretary = users["gespreksleider"], users["secretaris"]
    start = (timezone.localtime() - timedelta(weeks=4)).replace(hour=14, minute=0, second=0, microsecond=0)
    session = create_session(
        script=script,
        project=project,
        title=FINISHED_TITLE,
        starts_at=start,
        place="Buurthuis Noord",
        facilitator=facilitator,
        secretary=secretary,
        created_by=facilitator,
        participants=participants_from(contacts, FINISHED_PARTICIPANTS),
    )
    session = timeline.start(session.pk, session.timeline_version, by=facilitator, at=start)
    blocks = list(session.blocks.prefetch_related("steps").order_by("order"))
    moment = start
    for index, block in enumerate(blocks):
        # The second round ran a few minutes over, as rounds do.
        spent = block.minutes + (3 if index == 1 else 0)
        questions = block.outline.main_questions()
        for position, notes in HARVEST.get(block.order, {}).items():
            for offset, (tag, text, key) in enumerate(notes, start=1):
                note = harvest.add_note(
                    session,
                    block_id=block.pk,
                    question_id=questions[position].pk,
                    text=text,
                    tag=tag,
                    author=secretary,
                )
                if key:
                    harvest.set_key_harvest(note, True)
                typed_at = moment + timedelta(minutes=min(spent - 1, 5 * position + offset))
                Note.objects.filter(pk=note.pk).update(created_at=typed_at, updated_at=typed_at)
        for order, who, what, when in AGREEMENTS:
            if order == block.order:
                agreement = harvest.add_agreement(session, who=who, what=what, when=when, block=block)
                Agreement.objects.filter(pk=agreement.pk).update(created_at=moment + timedelta(minutes=spent - 2))
        moment += timedelta(minutes=spent)
        session.refresh_from_db()
        if index < len(blocks) - 1:
            session = timeline.advance_to_next_block(session.pk, session.timeline_version, by=facilitator, at=moment)
        else:
            session = timeline.finish(session.pk, session.timeline_version, by=facilitator, at=moment)

    report = reports.report_for(session)
    reports.save_texts(report, summary=SUMMARY, closing_remark=CLOSING_REMARK)
    report = reports.approve(report, by=secretary)
    # Approved and sent two days after the session (the domain functions stamp "now").
    approved_at = moment + timedelta(days=2)
    sent_at = approved_at + timedelta(minutes=10)
    Report.objects.filter(pk=report.pk).update(approved_at=approved_at, first_sent_at=sent_at)
    version = reports.latest_version(report)
    ReportVersion.objects.filter(pk=version.pk).update(approved_at=approved_at)
    subject = reports.default_subject(session)
    message = f"Beste lezer,\n\nIn de bijlage vindt u het beknopte verslag van {session.title}. Dank voor uw deelname."
    recipients = [(p.name, p.email, True) for p in session.participants.all() if p.email]
    recipients += [(u.get_full_name(), u.email, False) for u in project.users_in_role(ProjectRole.RESEARCHER)]
    # Stored as sent, never queued: the demo mails nobody.
    deliveries = Delivery.objects.bulk_create(
        Delivery(
            report=report,
            name=name,
            email=email,
            took_part=took_part,
            subject=subject,
            message=message,
            status=DeliveryStatus.SENT,
            pdf_sha256=version.sha256,
            version=version,
            attempts=1,
            sent_at=sent_at,
        )
        for name, email, took_part in recipients
    )
    Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(created_at=approved_at)
    session.bump_version()
    return session
