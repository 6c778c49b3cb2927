"""Reviewing the draft report before it is approved (issue 18, part 2): the rules.

The secretary invites people (the session's participants, and whom else the send page offers) to
read the draft. Each gets a personal link by e-mail: a random token that expires, works for that
one person and can be revoked. With it, and without an account, a reviewer reads the draft, says
"akkoord" (agrees) or leaves comments per section; the secretary resolves each comment ("changed"
or "not changed", with a short reply). Approving closes the open review and records its outcome
as counts on the version approved (`close_review`, called by `reports.approve`).

An invitation belongs to the open review while it names no version. Its link works while the
invitation is open, not revoked and not expired; any other link gets a page that says why and
shows nothing of the session. Reviewers are never logged in: the token in the URL is their only
key, and it opens the review pages and nothing else.
"""

import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gesprekstafels.lib.mail import has_control_characters, validate_mail_address
from sessies.models import DeliveryStatus, ReportVersion, ReviewComment, ReviewInvitation, ReviewResolution
from sessies.outbox import describe

COMMENT_MAX_LENGTH = 2000
REPLY_MAX_LENGTH = 1000
# Cheap protection against a link that leaked: one person's comments stop here.
MAX_COMMENTS_PER_REVIEWER = 100
DEFAULT_LINK_DAYS = 14
# Tokens are secrets.token_urlsafe(32): 43 characters. Anything unlike one is refused without a query.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{20,64}")
GENERAL = "general"
# Why a link does not work; the page says it in words (sessies/review_unavailable.html).
UNKNOWN, REVOKED, CLOSED, EXPIRED = "unknown", "revoked", "closed", "expired"


class ReviewError(Exception):
    """A review action that cannot be carried out; the message says why, for the user."""


class LinkUnavailable(Exception):
    """A review link that does not work (any more); `reason` is UNKNOWN, REVOKED, CLOSED or EXPIRED."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def link_days():
    return getattr(settings, "REVIEW_LINK_DAYS", DEFAULT_LINK_DAYS)


def header_safe(text):
    """`text` on one line, fit for a mail header: every control character becomes a space."""
    return "".join(" " if has_control_characters(char) else char for char in text).strip()


# The sections a reviewer comments on


@dataclass
class Section:
    key: str
    title: str
    comments: list = field(default_factory=list)  # the reviewer's own, on their page


def sections_of(context):
    """The report's sections in its order, from `reports.report_context()`: only what the report shows,
    and "the report as a whole" last, for what belongs to no section (a point that is missing)."""
    report = context["report"]
    sections = []
    if report.summary:
        sections.append(Section("summary", _("Summary")))
    if context["key_notes"]:
        sections.append(Section("key", _("Key harvest")))
    sections += [Section(section.review_key, section.title) for section in context["rounds"]]
    if context["agreements"]:
        sections.append(Section("agreements", _("Agreements")))
    if report.closing_remark:
        sections.append(Section("closing", _("Closing remark")))
    sections.append(Section(GENERAL, _("The report as a whole")))
    return sections


def section_named(sections, key):
    """The section with this key, or None when the report no longer shows it."""
    return next((section for section in sections if section.key == key), None)


# A reviewer's link


def unavailable_reason(invitation, *, now=None):
    """Why the invitation's link does not work, or None when it does."""
    if invitation.revoked_at:
        return REVOKED
    if invitation.version_id:
        return CLOSED
    if invitation.expires_at <= (now or timezone.now()):
        return EXPIRED
    return None


def invitation_for(token):
    """The invitation whose link this is, if the link works; LinkUnavailable otherwise."""
    if not isinstance(token, str) or not TOKEN_PATTERN.fullmatch(token):
        raise LinkUnavailable(UNKNOWN)
    invitation = (
        ReviewInvitation.objects.select_related(
            "report__session__project", "report__session__facilitator", "report__session__secretary", "created_by"
        )
        .filter(token=token)
        .first()
    )
    if invitation is None:
        raise LinkUnavailable(UNKNOWN)
    reason = unavailable_reason(invitation)
    if reason:
        raise LinkUnavailable(reason)
    return invitation


def inviter_name(invitation):
    user = invitation.created_by
    if user is None:
        return _("The secretary of the session")
    return user.get_full_name() or user.username


def mark_opened(invitation):
    """Note the first time the link was opened (shown to the secretary)."""
    if invitation.opened_at is None:
        invitation.opened_at = timezone.now()
        ReviewInvitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(opened_at=invitation.opened_at)


def own_sections(invitation, sections):
    """`sections` with the reviewer's own comments on each. Comments on a section the report no longer
    shows go under "the report as a whole", with the title they were made on."""
    by_key = {}
    for comment in invitation.comments.all():
        by_key.setdefault(comment.section, []).append(comment)
    for section in sections:
        section.comments = by_key.pop(section.key, [])
    general = section_named(sections, GENERAL)
    general.comments = sorted(
        general.comments + [comment for comments in by_key.values() for comment in comments],
        key=lambda comment: (comment.created_at, comment.pk),
    )
    return sections


def _locked_open(invitation):
    """The invitation's row, locked for this transaction, while its link works; LinkUnavailable otherwise."""
    locked = ReviewInvitation.objects.select_for_update().filter(pk=invitation.pk).first()
    if locked is None:
        raise LinkUnavailable(UNKNOWN)
    reason = unavailable_reason(locked)
    if reason:
        raise LinkUnavailable(reason)
    return locked


def _responded(invitation, now):
    if invitation.responded_at is None:
        invitation.responded_at = now
        ReviewInvitation.objects.filter(pk=invitation.pk, responded_at__isnull=True).update(responded_at=now)


@transaction.atomic
def add_comment(invitation, *, section, text):
    """Store the reviewer's comment on `section` (a Section of the report as it is now)."""
    locked = _locked_open(invitation)
    text = text.strip()
    if not text:
        raise ReviewError(_("Type your comment first."))
    if len(text) > COMMENT_MAX_LENGTH:
        raise ReviewError(_("A comment has at most %(max)s characters.") % {"max": COMMENT_MAX_LENGTH})
    if locked.comments.count() >= MAX_COMMENTS_PER_REVIEWER:
        raise ReviewError(_("You cannot add more comments here. Write to the secretary of the session instead."))
    now = timezone.now()
    comment = ReviewComment.objects.create(
        invitation=locked,
        section=section.key,
        section_title=section.title[: ReviewComment._meta.get_field("section_title").max_length],
        text=text,
        created_at=now,
    )
    _responded(locked, now)
    invitation.responded_at = locked.responded_at
    return comment


@transaction.atomic
def set_agreement(invitation, *, agreed):
    """The reviewer agrees with the draft ("akkoord"), or takes that back."""
    locked = _locked_open(invitation)
    now = timezone.now()
    if agreed and locked.agreed_at is None:
        locked.agreed_at = now
    elif not agreed:
        locked.agreed_at = None
    ReviewInvitation.objects.filter(pk=locked.pk).update(agreed_at=locked.agreed_at)
    if agreed:
        _responded(locked, now)
    invitation.agreed_at, invitation.responded_at = locked.agreed_at, locked.responded_at
    return invitation


# The secretary's side


def open_invitations(report):
    """The open review's invitations (revoked ones too) with their comments: two queries, none for an unsaved report."""
    if not report.pk:
        return []
    return list(report.review_invitations.filter(version__isnull=True).prefetch_related("comments"))


def find_invitation(report, pk):
    """The invitation `pk` of this report's open review, or None."""
    if pk is None or not report.pk:
        return None
    return ReviewInvitation.objects.filter(pk=pk, report=report, version__isnull=True).first()


def find_comment(report, pk):
    """The comment `pk` of this report's open review, or None."""
    if pk is None or not report.pk:
        return None
    return (
        ReviewComment.objects.select_related("invitation")
        .filter(pk=pk, invitation__report=report, invitation__version__isnull=True)
        .first()
    )


def outcome(invitations):
    """A review's counts: who was invited (revoked invitations left out), responded and agreed, the
    comments and how they were resolved; "open" counts the comments nobody resolved."""
    counted = [invitation for invitation in invitations if not invitation.revoked_at]
    comments = [comment for invitation in counted for comment in invitation.comments.all()]
    resolutions = [comment.resolution for comment in comments]
    return {
        "invited": len(counted),
        "responded": sum(1 for invitation in counted if invitation.responded_at),
        "agreed": sum(1 for invitation in counted if invitation.agreed_at),
        "comments": len(comments),
        "changed": resolutions.count(ReviewResolution.CHANGED),
        "unchanged": resolutions.count(ReviewResolution.UNCHANGED),
        "open": resolutions.count(ReviewResolution.OPEN),
    }


@dataclass
class CommentGroup:
    key: str
    title: str
    comments: list = field(default_factory=list)


def comment_groups(invitations, sections):
    """The comments of `invitations` by section, in the report's order; a section the report no longer
    shows comes last, under the title its reviewers saw. Each comment's `invitation` is the one given."""
    order = {section.key: index for index, section in enumerate(sections)}
    titles = {section.key: section.title for section in sections}
    groups = {}
    for invitation in invitations:
        for comment in invitation.comments.all():
            comment.invitation = invitation  # no query per comment
            key = comment.section if comment.section in order else f"gone:{comment.section}:{comment.section_title}"
            group = groups.setdefault(key, CommentGroup(key, titles.get(comment.section, comment.section_title)))
            group.comments.append(comment)
    for group in groups.values():
        group.comments.sort(key=lambda comment: (comment.created_at, comment.pk))
    return sorted(groups.values(), key=lambda group: (order.get(group.key, len(order)), group.title))


def invite(report, people, *, by, base_url):
    """Invite each of `people` (reports.Candidate, or (name, email) pairs); return the new invitations.

    Stored first; each invitation's mail is queued after the commit (sessies.tasks). Someone with an
    open, unrevoked invitation is skipped: "send again" renews that one. `base_url` is the site's
    address (https://host/) the link in the mail starts with.
    """
    from sessies.tasks import send_review_invitation

    people = [(person.name, person.email) if hasattr(person, "email") else tuple(person[:2]) for person in people]
    for _name, email in people:
        validate_mail_address(email)
    now = timezone.now()
    with transaction.atomic():
        taken = {
            email.lower()
            for email in ReviewInvitation.objects.filter(
                report=report, version__isnull=True, revoked_at__isnull=True
            ).values_list("email", flat=True)
        }
        participants = {}
        for participant in report.session.participants.select_related("contact"):
            email = participant.email or (participant.contact.email if participant.contact else "")
            participants.setdefault(email.lower(), participant)
        created = []
        for name, email in people:
            if email.lower() in taken:
                continue
            taken.add(email.lower())
            created.append(
                ReviewInvitation.objects.create(
                    report=report,
                    participant=participants.get(email.lower()),
                    name=(name or email)[: ReviewInvitation._meta.get_field("name").max_length],
                    email=email,
                    token=secrets.token_urlsafe(32),
                    created_at=now,
                    created_by=by,
                    expires_at=now + timedelta(days=link_days()),
                )
            )
        for invitation in created:
            transaction.on_commit(lambda pk=invitation.pk: send_review_invitation.enqueue(pk, base_url))
    return created


def _still_open(invitation):
    if invitation.version_id:
        raise ReviewError(_("This review is closed: the report was approved."))


def revoke(invitation):
    """The link stops working; what the person wrote stays."""
    _still_open(invitation)
    invitation.revoked_at = invitation.revoked_at or timezone.now()
    ReviewInvitation.objects.filter(pk=invitation.pk, revoked_at__isnull=True).update(revoked_at=invitation.revoked_at)


def resend(invitation, *, base_url):
    """Mail the link again (a reminder, or after a failure); it then works `link_days()` from now."""
    from sessies.tasks import send_review_invitation

    _still_open(invitation)
    if invitation.revoked_at:
        raise ReviewError(_("This invitation was revoked. Invite the person again for a new link."))
    if not invitation.email:
        raise ReviewError(_("This invitation has no e-mail address any more."))
    with transaction.atomic():
        ReviewInvitation.objects.filter(pk=invitation.pk).update(
            mail_status=DeliveryStatus.PENDING, mail_error="", expires_at=timezone.now() + timedelta(days=link_days())
        )
        transaction.on_commit(lambda: send_review_invitation.enqueue(invitation.pk, base_url))


RESOLUTIONS = (ReviewResolution.CHANGED, ReviewResolution.UNCHANGED)


def resolve(comment, *, resolution, reply, by):
    """The secretary's answer to a comment: the report was changed, or not, with a short reply."""
    _still_open(comment.invitation)
    if resolution not in RESOLUTIONS:
        raise ReviewError(_("Choose whether the report was changed."))
    comment.resolution, comment.reply = resolution, reply.strip()[:REPLY_MAX_LENGTH]
    comment.resolved_at, comment.resolved_by = timezone.now(), by
    ReviewComment.objects.filter(pk=comment.pk).update(
        resolution=comment.resolution, reply=comment.reply, resolved_at=comment.resolved_at, resolved_by=by
    )
    return comment


def close_review(report, version):
    """Close the open review on `version`, inside the approval's transaction; return its counts or None.

    The counts are merged with those the version already holds (an approval that adds no version
    attaches the review to the latest one). Revoked invitations are closed too but not counted.
    """
    invitations = list(
        ReviewInvitation.objects.select_for_update()
        .filter(report=report, version__isnull=True)
        .prefetch_related("comments")
    )
    if not invitations:
        return None
    counts = outcome(invitations)
    if counts["invited"]:
        merged = dict(version.review or {})
        for key, value in counts.items():
            merged[key] = merged.get(key, 0) + value
        ReportVersion.objects.filter(pk=version.pk).update(review=merged)
        version.review = merged
    ReviewInvitation.objects.filter(pk__in=[invitation.pk for invitation in invitations]).update(version=version)
    return counts


# The invitation mail (sent by sessies.tasks.send_review_invitation)


def claim_mail(pk):
    """Take a queued invitation mail for this run; None when it is not (or no longer) to be sent."""
    claimed = (
        ReviewInvitation.objects.filter(
            pk=pk, mail_status=DeliveryStatus.PENDING, revoked_at__isnull=True, version__isnull=True
        )
        .exclude(email="")
        .update(mail_status=DeliveryStatus.SENDING)
    )
    if not claimed:
        return None
    return ReviewInvitation.objects.select_related("report__session__project", "created_by").get(pk=pk)


def record_mail_sent(invitation):
    ReviewInvitation.objects.filter(pk=invitation.pk).update(
        mail_status=DeliveryStatus.SENT, mail_error="", sent_at=timezone.now()
    )


def record_mail_failure(invitation, error):
    ReviewInvitation.objects.filter(pk=invitation.pk).update(
        mail_status=DeliveryStatus.FAILED, mail_error=describe(error)
    )
