"""Reviewing the draft report: the secretary's actions beside the report, and a reviewer's pages.

A reviewer's pages are public (no account) and reached by the token in their link only: they
never log anyone in and lead nowhere else in the app. The rules are in sessies.review.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from gesprekstafels.lib.http import parse_id
from sessies import reports, review
from sessies.access import get_session_for
from sessies.forms import ReviewCommentForm, ReviewInviteForm, ReviewResolveForm
from sessies.views.reports import _report_page

PAGE = "sessies/review.html"
AGREE, WITHDRAW = "akkoord", "intrekken"


def _back_to_report(session, anchor="review"):
    return redirect(reverse("sessions:report", args=[session.pk]) + f"#{anchor}")


# The secretary's side (sessions namespace): POST only, for whoever edits the report.


@require_POST
def review_invite(request, pk):
    session = get_session_for(request.user, pk, need="report")
    report = reports.read_report(session)
    invited = [invitation.email for invitation in review.open_invitations(report) if not invitation.revoked_at]
    form = ReviewInviteForm(request.POST, groups=reports.recipient_groups(session), invited=invited)
    if not form.is_valid():
        return _report_page(request, session, review_forms={"invite_form": form}, status=422)
    invitations = review.invite(
        reports.report_for(session), form.invitees(), by=request.user, base_url=request.build_absolute_uri("/")
    )
    messages.success(request, _("Invitations to review are being sent: %(count)s.") % {"count": len(invitations)})
    return _back_to_report(session)


def _invitation(request, session):
    invitation = review.find_invitation(reports.read_report(session), parse_id(request.POST.get("invitation")))
    if invitation is None:
        raise Http404
    return invitation


@require_POST
def review_revoke(request, pk):
    session = get_session_for(request.user, pk, need="report")
    invitation = _invitation(request, session)
    review.revoke(invitation)
    messages.success(request, _("The link of %(name)s no longer works.") % {"name": invitation.name})
    return _back_to_report(session)


@require_POST
def review_resend(request, pk):
    session = get_session_for(request.user, pk, need="report")
    invitation = _invitation(request, session)
    try:
        review.resend(invitation, base_url=request.build_absolute_uri("/"))
    except review.ReviewError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The invitation to %(name)s is being sent again.") % {"name": invitation.name})
    return _back_to_report(session, f"invitation-{invitation.pk}")


@require_POST
def review_resolve(request, pk):
    session = get_session_for(request.user, pk, need="report")
    comment = review.find_comment(reports.read_report(session), parse_id(request.POST.get("comment")))
    if comment is None:
        raise Http404
    form = ReviewResolveForm(request.POST, comment=comment)
    if not form.is_valid():
        return _report_page(request, session, review_forms={"resolve_form": (comment.pk, form)}, status=422)
    review.resolve(comment, **form.cleaned_data, by=request.user)
    messages.success(request, _("The comment has been resolved."))
    return _back_to_report(session, f"review-comment-{comment.pk}")


# A reviewer's pages (review namespace): public, reached by the token alone.


def _private(response):
    # Personal pages: never stored by a shared cache, never indexed.
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _unavailable(request, reason):
    """A link that does not work: a page that says why and shows nothing of the session."""
    status = 404 if reason == review.UNKNOWN else 410
    return _private(render(request, "sessies/review_unavailable.html", {"reason": reason}, status=status))


def _sections(invitation):
    """The report's context and its sections, each with the reviewer's own comments."""
    context = reports.report_context(invitation.report.session)
    return context, review.own_sections(invitation, review.sections_of(context))


def _page(request, invitation, *, context=None, sections=None, bound=None, status=200):
    """The reviewer's page; `bound` (section key, form) sends one comment form back with its errors."""
    if context is None:
        context, sections = _sections(invitation)
    for section in sections:
        section.form = bound[1] if bound and bound[0] == section.key else ReviewCommentForm(section=section)
    context |= {
        "invitation": invitation,
        "token": invitation.token,
        "inviter": review.inviter_name(invitation),
        "review": {"sections": sections},
        # The saving messages of static/js/saving.js, which keeps a typed comment, for a page without a login.
        "keeps_drafts": True,
    }
    return _private(render(request, PAGE, context, status=status))


@login_not_required
@require_GET
def review_page(request, token):
    try:
        invitation = review.invitation_for(token)
    except review.LinkUnavailable as unavailable:
        return _unavailable(request, unavailable.reason)
    review.mark_opened(invitation)
    return _page(request, invitation)


def _comment_form(request, sections):
    """The posted comment's section and its bound form. A section taken out of the draft meanwhile gives
    "the report as a whole" instead, with the text and a message: nothing typed is lost."""
    section = review.section_named(sections, request.POST.get("section", ""))
    if section is not None:
        return section, ReviewCommentForm(request.POST, section=section)
    section = review.section_named(sections, review.GENERAL)
    data = request.POST.copy()
    data["section"] = section.key
    form = ReviewCommentForm(data, section=section)
    form.is_valid()
    form.add_error(
        None, _("The part you commented on is no longer in the draft. Your comment was not saved: save it here.")
    )
    return section, form


@login_not_required
@require_POST
def review_comment(request, token):
    try:
        invitation = review.invitation_for(token)
    except review.LinkUnavailable as unavailable:
        return _unavailable(request, unavailable.reason)
    context, sections = _sections(invitation)
    section, form = _comment_form(request, sections)
    if form.is_valid():
        try:
            review.add_comment(invitation, section=section, text=form.cleaned_data["text"])
        except review.LinkUnavailable as unavailable:
            return _unavailable(request, unavailable.reason)
        except review.ReviewError as error:
            form.add_error("text", str(error))
    if form.errors:
        return _comment_refused(request, invitation, context, sections, section, form)
    if not request.htmx:
        messages.success(request, _("Your comment has been saved."))
        return redirect(reverse("review:page", args=[token]) + f"#review-{section.key}")
    review.own_sections(invitation, sections)
    section.form = ReviewCommentForm(section=section)
    context = {"section": section, "invitation": invitation, "token": token, "saved": True}
    return _private(render(request, f"{PAGE}#review-section", context))


def _comment_refused(request, invitation, context, sections, section, form):
    """The comment form back with what was typed and why it was not saved (422)."""
    if not request.htmx:
        return _page(request, invitation, context=context, sections=sections, bound=(section.key, form), status=422)
    section.form = form
    context = {"section": section, "invitation": invitation, "token": invitation.token}
    response = render(request, f"{PAGE}#review-section", context, status=422)
    # Where the form is now: another section's when the one commented on was taken out of the draft.
    response["HX-Retarget"] = f"#review-{section.key}"
    response["HX-Reswap"] = "outerHTML"
    return _private(response)


@login_not_required
@require_POST
def review_agree(request, token):
    try:
        invitation = review.invitation_for(token)
        action = request.POST.get("action")
        if action in (AGREE, WITHDRAW):
            review.set_agreement(invitation, agreed=action == AGREE)
    except review.LinkUnavailable as unavailable:
        return _unavailable(request, unavailable.reason)
    status = 200 if action in (AGREE, WITHDRAW) else 422
    if not request.htmx:
        if status == 422:
            messages.error(request, _("That choice is not available. Reload the page and try again."))
        return redirect(reverse("review:page", args=[token]) + "#review-agreement")
    context = {"invitation": invitation, "token": token, "agreement_refused": status == 422}
    return _private(render(request, f"{PAGE}#agreement", context, status=status))
