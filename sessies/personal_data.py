"""Personal data as the AVG asks: export what is stored about one person, erase it, forget old addresses.

A person is found by e-mail address, in any case: the project contacts, session participants,
report deliveries and invitations to review a draft report (with the reviewer's comments) with that
address (and the participants picked from those contacts), and the user accounts with it. Their names and addresses also occur in free text; there:

- the address is found and replaced as a whole address ("petra@example.org" is not touched inside
  "anna.petra@example.org") in every text column of the three apps and in the admin log;
- the person's names, exactly as stored on the rows found, are replaced as whole words, but only in
  the rows of the research projects the person appears in (and the admin log entries about those
  rows): a name, unlike an address, is shared by other people elsewhere.

Notes, reports and review comments otherwise keep their content; a review invitation's link stops
working. Erasing also ends the person's login sessions,
removes their login records (django-axes) and renders the approved report PDFs that showed them
again; an `Erasure` row logs that it happened, with counts only.

Not searched, on purpose: django-tasks-db rows hold a delivery or invitation id (and the site's
address) as their arguments and the words "sent", "failed" or "not claimed" as result (the tasks
catch every mail error themselves); the
session table holds user ids, never an address (the erased accounts' sessions are ended); the
server's log files are outside the database.
"""

import hashlib
import json
import re
from collections import defaultdict

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from gesprekstafels.lib.accounts import end_all_sessions
from gesprekstafels.lib.http import parse_id
from kader.models import Contact, ResearchProject
from sessies.models import Delivery, DeliveryStatus, Erasure, Participant, Report, ReviewInvitation, Session
from sessies.reports import render_report_pdf

# Stored in place of what was erased, in the site's language (not the admin's), through gettext.
ERASED_NAME = gettext_noop("Erased person")
ERASED_ADDRESS = gettext_noop("[address erased]")

# Where people's data can be typed: every text column of these apps is searched.
APPS = ("kader", "draaiboeken", "sessies")

# What `erase_person` counts, in the order the page shows them.
COUNT_LABELS = {
    "contacts": _("project contacts"),
    "participants": _("session participants"),
    "deliveries": _("report deliveries (sent)"),
    "unsent_deliveries": _("report deliveries not sent yet (removed)"),
    "review_invitations": _("invitations to review a draft report (link revoked)"),
    "accounts": _("user accounts (deactivated)"),
    "texts": _("texts in which the name or address was replaced"),
    "report_pdfs": _("approved report PDFs rendered again"),
    "admin_log": _("admin log entries"),
    "login_records": _("login records"),
    "login_sessions": _("login sessions ended"),
}


class PersonalDataError(Exception):
    """A request about personal data that cannot be carried out; the message says why."""


def _address(email):
    """The address as searched: trimmed; refused when it is not one (an empty one would match every blank)."""
    address = (email or "").strip()
    if "@" not in address or len(address) < 3:
        raise PersonalDataError(gettext("Enter an e-mail address."))
    return address


def _address_pattern(address):
    # A whole address: not preceded by more of its user part (letters, digits, "._+-": the rarer
    # characters also quote it, as in "'petra@example.org'"), not followed by more of its domain.
    return re.compile(rf"(?<![\w.+-]){re.escape(address)}(?![\w-]|\.[\w-])", re.IGNORECASE)


def _names_pattern(names):
    # Whole words, longest first, so "Petra Jansen" goes before "Petra".
    ordered = sorted(names, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(name) for name in ordered) + r")(?!\w)", re.IGNORECASE)


def _when(value):
    return timezone.localtime(value).isoformat() if value else None


# The rows that belong to the person


def _people_rows(address):
    contacts = Contact.objects.filter(email__iexact=address)
    return {
        "contacts": contacts,
        "participants": Participant.objects.filter(Q(email__iexact=address) | Q(contact__in=contacts)),
        "deliveries": Delivery.objects.filter(email__iexact=address),
        "review_invitations": ReviewInvitation.objects.filter(email__iexact=address),
        "accounts": get_user_model().objects.filter(email__iexact=address),
    }


def _login_records(usernames):
    query = Q(pk__in=[])
    for username in usernames:
        query |= Q(username__iexact=username)
    return [model.objects.filter(query) for model in (AccessLog, AccessFailureLog, AccessAttempt)]


# Searching text columns


# Random keys, not text: a name replaced inside one ("…-Jo-…") would break a link.
KEYS = {(ReviewInvitation, "token")}


def _text_fields(model):
    """The free-text columns: character and text fields without fixed choices (JSON holds none here)."""
    return [
        field
        for field in model._meta.concrete_fields
        if isinstance(field, (models.CharField, models.TextField))
        and not field.choices
        and not field.primary_key
        and (model, field.name) not in KEYS
    ]


def _searched_models():
    return [model for model in apps.get_models() if model._meta.app_label in APPS and _text_fields(model)]


def _path_to(model, target, depth=4):
    """The lookup from `model` to `target` along foreign keys ("session__project"), or None.

    Required keys are followed before optional ones, so a participant reaches its project through
    its session, not through the contact it may have been picked from.
    """
    if model is target:
        return "pk"
    frontier = [(model, "")]
    for _step in range(depth):
        following = []
        for current, prefix in frontier:
            keys = [f for f in current._meta.concrete_fields if f.is_relation and f.related_model is not None]
            for field in sorted(keys, key=lambda f: f.null):
                path = prefix + field.name
                if field.related_model is target:
                    return path
                if field.related_model._meta.app_label in APPS:
                    following.append((field.related_model, path + "__"))
        frontier = following
    return None


def _matching(queryset, fields, terms):
    query = Q(pk__in=[])
    for field in fields:
        for term in terms:
            query |= Q(**{f"{field.name}__icontains": term})
    return queryset.filter(query)


def _fit(field, value):
    return value[: field.max_length] if isinstance(field, models.CharField) and field.max_length else value


def _sweep(model, rules):
    """Apply the rules, each (queryset, pattern, replacement, search terms), to every text column; return changed pks.

    Each rule reaches the rows of its queryset that may hold one of its terms. A changed row is
    written once, and one with a `version` is bumped, so an editor still open on the old text is
    refused as stale instead of writing the name back.
    """
    fields = _text_fields(model)
    names = [f.attname for f in fields]
    rows = {}
    for queryset, pattern, replacement, terms in rules:
        for row in _matching(queryset, fields, terms).values("pk", *names):
            current = rows.setdefault(row["pk"], {"old": row, "new": dict(row)})["new"]
            for name in names:
                current[name] = pattern.sub(replacement, current[name] or "")
    has_version = any(f.name == "version" and isinstance(f, models.IntegerField) for f in model._meta.concrete_fields)
    changed = []
    for pk, row in rows.items():
        updates = {
            f.attname: _fit(f, row["new"][f.attname])
            for f in fields
            if row["new"][f.attname] != (row["old"][f.attname] or "")
        }
        if updates:
            if has_version:
                updates["version"] = F("version") + 1
            model._default_manager.filter(pk=pk).update(**updates)
            changed.append(pk)
    return changed


def _mentions(pattern, address, skip):
    """[(model, pk, [field names])] of the rows whose text holds the address, outside the fields in `skip`."""
    found = []
    for model in _searched_models():
        fields = [f for f in _text_fields(model) if (model, f.name) not in skip]
        for row in _matching(model._default_manager.all(), fields, [address]).values(
            "pk", *[f.attname for f in fields]
        ):
            names = [f.name for f in fields if pattern.search(row[f.attname] or "")]
            if names:
                found.append((model, row["pk"], names))
    return found


# The admin log: object_repr is plain text, change_message JSON (non-ASCII escaped by json.dumps).


def _json_terms(terms):
    return {json.dumps(term)[1:-1] for term in terms} | set(terms)


def _replace_strings(data, replace):
    if isinstance(data, str):
        return replace(data)
    if isinstance(data, list):
        return [_replace_strings(item, replace) for item in data]
    if isinstance(data, dict):
        return {key: _replace_strings(value, replace) for key, value in data.items()}
    return data


def _replace_in_change_message(message, replace):
    try:
        data = json.loads(message)
    except ValueError:
        return replace(message)
    new = _replace_strings(data, replace)
    return message if new == data else json.dumps(new)


def _log_entries_with(terms):
    query = Q(pk__in=[])
    for term in _json_terms(terms):
        query |= Q(object_repr__icontains=term) | Q(change_message__icontains=term)
    return LogEntry.objects.filter(query)


def _log_entry_objects(entries):
    """{(content_type_id, object_id)} for the entries, to ask which objects they are about."""
    by_type = defaultdict(set)
    for entry in entries:
        by_type[entry.content_type_id].add(entry.object_id)
    return by_type


def _in_scope(content_type_id, object_ids, project_ids, user_ids):
    """The object ids (as stored: text) among `object_ids` that lie in the person's projects or accounts."""
    model = ContentType.objects.get_for_id(content_type_id).model_class()
    pks = [pk for pk in map(parse_id, object_ids) if pk is not None]
    if model is None or not pks:
        return set()
    if model is get_user_model():
        return {str(pk) for pk in pks if pk in user_ids}
    path = _path_to(model, ResearchProject) if model._meta.app_label in APPS else None
    if path is None:
        return set()
    rows = model._default_manager.filter(pk__in=pks, **{f"{path}__in": project_ids})
    return {str(pk) for pk in rows.values_list("pk", flat=True)}


def _scrub_admin_log(*, address_pattern, address, names_pattern, names, erased_objects, project_ids, user_ids, erased):
    """Replace the address everywhere in the log, and names in entries about the person's rows; return how many."""
    changed = set()
    # Entries about a row that was the person: their title is the person's name or username.
    for model, pks in erased_objects:
        if pks:
            content_type = ContentType.objects.get_for_model(model)
            entries = LogEntry.objects.filter(content_type=content_type, object_id__in=[str(pk) for pk in pks])
            changed.update(entries.values_list("pk", flat=True))
            entries.update(object_repr=erased["name"])
    candidates = list(_log_entries_with([address, *names]))
    name_scope = {}
    if names_pattern is not None:
        for content_type_id, object_ids in _log_entry_objects(candidates).items():
            name_scope[content_type_id] = _in_scope(content_type_id, object_ids, project_ids, user_ids)

    for entry in candidates:
        replacements = [(address_pattern, erased["address"])]
        if names_pattern is not None and entry.object_id in name_scope.get(entry.content_type_id, ()):
            replacements.append((names_pattern, erased["name"]))

        def replace(text, replacements=replacements):
            for pattern, new in replacements:
                text = pattern.sub(new, text)
            return text

        object_repr = replace(entry.object_repr)[:200]
        change_message = _replace_in_change_message(entry.change_message, replace)
        if (object_repr, change_message) != (entry.object_repr, entry.change_message):
            LogEntry.objects.filter(pk=entry.pk).update(object_repr=object_repr, change_message=change_message)
            changed.add(entry.pk)
    return len(changed)


# Export


def export_person(email):
    """Everything stored about the person with this address, as a JSON-serialisable dict."""
    address = _address(email)
    rows = _people_rows(address)
    accounts = list(rows["accounts"].prefetch_related("groups", "project_memberships__project"))
    contacts = list(rows["contacts"].select_related("project"))
    participants = list(rows["participants"].select_related("session__project"))
    deliveries = list(rows["deliveries"].select_related("report__session"))
    invitations = list(rows["review_invitations"].select_related("report__session").prefetch_related("comments"))
    pattern = _address_pattern(address)
    identity = {(Contact, "email"), (Participant, "email"), (Delivery, "email"), (ReviewInvitation, "email")}
    mentions = [
        {"kind": model._meta.label_lower, "id": pk, "fields": fields}
        for model, pk, fields in _mentions(pattern, address, identity)
    ]
    for entry in _log_entries_with([address]):
        fields = [name for name in ("object_repr", "change_message") if pattern.search(getattr(entry, name))]
        if fields:
            mentions.append({"kind": "admin.logentry", "id": entry.pk, "fields": fields})
    logins = [
        {"kind": queryset.model._meta.label_lower, "at": _when(record.attempt_time), "ip_address": record.ip_address}
        for queryset in _login_records([address, *(account.username for account in accounts)])
        for record in queryset.order_by("attempt_time")
    ]
    return {
        "email": address,
        "exported_at": _when(timezone.now()),
        "contacts": [
            {
                "id": contact.pk,
                "name": contact.name,
                "email": contact.email,
                "organisation": contact.organisation,
                "role": contact.role,
                "project": {"id": contact.project_id, "title": contact.project.title},
                "added_at": _when(contact.created_at),
            }
            for contact in contacts
        ],
        "participants": [
            {
                "id": participant.pk,
                "name": participant.name,
                "email": participant.email,
                "organisation": participant.organisation,
                "role": participant.role,
                "session": {
                    "id": participant.session_id,
                    "title": participant.session.title,
                    "date": _when(participant.session.starts_at),
                    "project": participant.session.project.title,
                },
            }
            for participant in participants
        ],
        "deliveries": [
            {
                "id": delivery.pk,
                "name": delivery.name,
                "email": delivery.email,
                "session": {"id": delivery.report.session_id, "title": delivery.report.session.title},
                "status": delivery.status,
                "sent_at": _when(delivery.sent_at),
                "subject": delivery.subject,
                "took_part": delivery.took_part,
            }
            for delivery in deliveries
        ],
        # What the person was asked to review, and what they wrote (with the secretary's answer).
        "review_invitations": [
            {
                "id": invitation.pk,
                "name": invitation.name,
                "email": invitation.email,
                "session": {"id": invitation.report.session_id, "title": invitation.report.session.title},
                "invited_at": _when(invitation.created_at),
                "expires_at": _when(invitation.expires_at),
                "revoked_at": _when(invitation.revoked_at),
                "mail_status": invitation.mail_status,
                "sent_at": _when(invitation.sent_at),
                "opened_at": _when(invitation.opened_at),
                "responded_at": _when(invitation.responded_at),
                "agreed_at": _when(invitation.agreed_at),
                "comments": [
                    {
                        "section": comment.section_title,
                        "text": comment.text,
                        "created_at": _when(comment.created_at),
                        "resolution": comment.resolution,
                        "reply": comment.reply,
                    }
                    for comment in invitation.comments.all()
                ],
            }
            for invitation in invitations
        ],
        "accounts": [
            {
                "id": account.pk,
                "username": account.username,
                "first_name": account.first_name,
                "last_name": account.last_name,
                "email": account.email,
                "is_active": account.is_active,
                "date_joined": _when(account.date_joined),
                "last_login": _when(account.last_login),
                "groups": sorted(group.name for group in account.groups.all()),
                "projects": [
                    {"id": m.project_id, "title": m.project.title, "role": m.role}
                    for m in account.project_memberships.all()
                ],
            }
            for account in accounts
        ],
        # Where the address occurs in text: which rows, not the text (that is about others too).
        "mentions": mentions,
        "login_records": logins,
    }


def is_empty(export):
    """Nothing is stored about the person in this export."""
    return not any(
        export[key]
        for key in (
            "contacts",
            "participants",
            "deliveries",
            "review_invitations",
            "accounts",
            "mentions",
            "login_records",
        )
    )


# Erasure


def placeholders():
    """What replaces a name and an address, in the site's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return {"name": gettext(ERASED_NAME), "address": gettext(ERASED_ADDRESS)}


def _names_of(contacts, participants, deliveries, accounts, erased, invitations=()):
    names = {row.name.strip() for row in [*contacts, *participants, *deliveries, *invitations]}
    names |= {account.get_full_name().strip() for account in accounts}
    # Too short to be a name, or part of what replaces it (it would be replaced again and again).
    return {
        name
        for name in names
        if len(name) >= 2 and not any(name.casefold() in text.casefold() for text in erased.values())
    }


def _sessions_touched(changed_by_model):
    """The ids of the sessions whose report shows one of the changed rows."""
    session_ids = set()
    for model, pks in changed_by_model.items():
        if model is ResearchProject:
            session_ids |= set(Session.objects.filter(project__in=pks).values_list("pk", flat=True))
            continue
        path = _path_to(model, Session)
        if path is not None:
            session_ids |= set(model._default_manager.filter(pk__in=pks).values_list(path, flat=True))
    session_ids.discard(None)
    return session_ids


def _refresh_report_pdfs(session_ids):
    """Render an approved report's PDF again; drop the kept PDF of a report no longer approved."""
    count = 0
    reports = Report.objects.filter(session__in=session_ids, pdf__isnull=False).select_related(
        "session__project", "session__facilitator", "session__secretary"
    )
    for report in reports:
        if report.is_approved:
            # Delivery.pdf_sha256 keeps the hash of what each recipient actually received.
            pdf = render_report_pdf(report.session)
            Report.objects.filter(pk=report.pk).update(pdf=pdf, pdf_sha256=hashlib.sha256(pdf).hexdigest())
        else:
            Report.objects.filter(pk=report.pk).update(pdf=None, pdf_sha256="")
        count += 1
    return count


def _remove_unsent(deliveries):
    """Delete the deliveries not sent yet: with the address gone there is nobody to send them to.

    Kept with a blank address, a retry would "send" them to no recipient, which the mail backend
    reports as success.
    """
    unsent = deliveries.exclude(status=DeliveryStatus.SENT)
    count = unsent.count()
    if count:
        unsent.delete()
    return count


def erase_person(email, *, by):
    """Erase the person with this address in one transaction; return the logged `Erasure` (its counts per kind).

    Contacts, participants and deliveries keep their rows with a placeholder name and no address or
    organisation; user accounts with the address are emptied, renamed and deactivated.
    """
    address = _address(email)
    if by.email and by.email.strip().lower() == address.lower():
        raise PersonalDataError(gettext("You cannot erase your own account here; ask another administrator."))
    erased = placeholders()
    User = get_user_model()
    with transaction.atomic():
        rows = _people_rows(address)
        contacts = list(rows["contacts"].select_for_update())
        participants = list(rows["participants"].select_related("session"))
        deliveries = list(rows["deliveries"].select_related("report"))
        invitations = list(rows["review_invitations"].select_related("report__session"))
        accounts = list(rows["accounts"])
        names = _names_of(contacts, participants, deliveries, accounts, erased, invitations)
        usernames = [address, *(account.username for account in accounts)]
        account_ids = {account.pk for account in accounts}

        # The person's projects: where their name, unlike elsewhere, means them.
        project_ids = {contact.project_id for contact in contacts}
        project_ids |= {participant.session.project_id for participant in participants}
        project_ids |= set(
            Session.objects.filter(report__deliveries__in=[d.pk for d in deliveries]).values_list("project", flat=True)
        )
        project_ids |= {invitation.report.session.project_id for invitation in invitations}
        if account_ids:
            project_ids |= set(
                ResearchProject.objects.filter(memberships__user__in=account_ids).values_list("pk", flat=True)
            )
            project_ids |= set(
                Session.objects.filter(Q(facilitator__in=account_ids) | Q(secretary__in=account_ids)).values_list(
                    "project", flat=True
                )
            )

        counts = dict.fromkeys(COUNT_LABELS, 0)
        changed = defaultdict(set)
        anonymous = {"name": erased["name"], "email": ""}
        counts["contacts"] = Contact.objects.filter(pk__in=[c.pk for c in contacts]).update(
            organisation="", **anonymous
        )
        counts["participants"] = Participant.objects.filter(pk__in=[p.pk for p in participants]).update(
            organisation="", **anonymous
        )
        changed[Participant] |= {p.pk for p in participants}
        person_deliveries = Delivery.objects.filter(pk__in=[d.pk for d in deliveries])
        counts["unsent_deliveries"] = _remove_unsent(person_deliveries)
        counts["deliveries"] = person_deliveries.update(**anonymous)
        # The link stops working; the comments stay, like notes (their text is searched below).
        counts["review_invitations"] = ReviewInvitation.objects.filter(pk__in=[i.pk for i in invitations]).update(
            revoked_at=Coalesce("revoked_at", Value(timezone.now())), **anonymous
        )

        for account in accounts:
            account.username = f"verwijderd-{account.pk}"
            account.first_name = account.last_name = account.email = ""
            account.is_active = False
            account.set_unusable_password()
            account.save(update_fields=["username", "first_name", "last_name", "email", "is_active", "password"])
            counts["login_sessions"] += end_all_sessions(user=account)
        counts["accounts"] = len(accounts)
        changed[Session] |= set(
            Session.objects.filter(Q(facilitator__in=account_ids) | Q(secretary__in=account_ids)).values_list(
                "pk", flat=True
            )
        )

        address_pattern = _address_pattern(address)
        names_pattern = _names_pattern(names) if names else None
        texts = set()
        for model in _searched_models():
            rules = [(model._default_manager.all(), address_pattern, erased["address"], [address])]
            path = _path_to(model, ResearchProject) if names_pattern else None
            if path is not None and project_ids:
                scoped = model._default_manager.filter(**{f"{path}__in": project_ids})
                rules.append((scoped, names_pattern, erased["name"], names))
            pks = _sweep(model, rules)
            texts |= {(model, pk) for pk in pks}
            changed[model] |= set(pks)
        counts["texts"] = len(texts)

        counts["admin_log"] = _scrub_admin_log(
            address_pattern=address_pattern,
            address=address,
            names_pattern=names_pattern,
            names=names,
            erased_objects=[
                (Contact, [c.pk for c in contacts]),
                (Participant, [p.pk for p in participants]),
                (Delivery, [d.pk for d in deliveries]),
                (ReviewInvitation, [i.pk for i in invitations]),
                (User, sorted(account_ids)),
            ],
            project_ids=project_ids,
            user_ids=account_ids,
            erased=erased,
        )
        for queryset in _login_records(usernames):
            counts["login_records"] += queryset.count()
            queryset.delete()

        session_ids = _sessions_touched(changed)
        counts["report_pdfs"] = _refresh_report_pdfs(session_ids)
        for session_id in session_ids:
            # Open pages reload what changed under them.
            Session.objects.bump(session_id)
        return Erasure.objects.create(erased_by=by, counts=counts)


# Retention


def forget_addresses(*, ended_before):
    """Remove the addresses of the contacts, participants, deliveries and review invitations of projects
    that ended before that date.

    Names stay; unsent deliveries are removed (see `_remove_unsent`). Running it again changes
    nothing. Returns counts only.
    """
    projects = ResearchProject.objects.filter(ended_on__lt=ended_before)
    with transaction.atomic():
        contacts = Contact.objects.filter(project__in=projects).exclude(email="")
        participants = Participant.objects.filter(session__project__in=projects).exclude(email="")
        deliveries = Delivery.objects.filter(report__session__project__in=projects).exclude(email="")
        invitations = ReviewInvitation.objects.filter(report__session__project__in=projects).exclude(email="")
        unsent = _remove_unsent(deliveries)
        return {
            "projects": projects.count(),
            "contacts": contacts.update(email=""),
            "participants": participants.update(email=""),
            "deliveries": deliveries.update(email=""),
            "unsent_deliveries": unsent,
            "review_invitations": invitations.update(email=""),
        }
