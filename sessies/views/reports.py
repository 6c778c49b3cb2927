"""The concise report: preview and edit, PDF, approval and sending."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from gesprekstafels.lib.pdf import pdf_response
from sessies import outbox, reports, review
from sessies.access import get_session_for
from sessies.forms import ReportTextsForm, ReportTimesForm, ReviewInviteForm, ReviewResolveForm, SendReportForm
from sessies.models import DeliveryStatus, Note, ReportVersion


def _review_panel(session, context, *, invite_form=None, resolve_form=None):
    """The open review beside the editor: invitations, their counts, the comments by section, each with
    its resolve form (`resolve_form`: (comment pk, bound form) sent back with its errors)."""
    now = timezone.now()
    invitations = review.open_invitations(context["report"])
    for invitation in invitations:
        invitation.mail_failed = invitation.mail_status == DeliveryStatus.FAILED
        invitation.mail_sent = invitation.mail_status == DeliveryStatus.SENT
        invitation.link_expired = review.unavailable_reason(invitation, now=now) == review.EXPIRED
    groups = review.comment_groups(invitations, review.sections_of(context))
    for group in groups:
        for comment in group.comments:
            if resolve_form is not None and resolve_form[0] == comment.pk:
                comment.form = resolve_form[1]
            else:
                comment.form = ReviewResolveForm(comment=comment)
    if invite_form is None:
        invited = [invitation.email for invitation in invitations if not invitation.revoked_at]
        invite_form = ReviewInviteForm(groups=reports.recipient_groups(session), invited=invited)
    return {
        "invitations": invitations,
        "counts": review.outcome(invitations),
        "comment_groups": groups,
        "invite_form": invite_form,
        "link_days": review.link_days(),
    }


def _report_page(request, session, *, texts_form=None, times_form=None, review_forms=None, status=200):
    """The report page; `review_forms` (invite_form=…, resolve_form=…) sends review forms back with their errors."""
    context = reports.report_context(session, include_hidden=True)
    context["can_edit"] = session.can_edit_report(request.user)
    context["can_send"] = session.can_send_report(request.user)
    context["texts_form"] = texts_form or ReportTextsForm(instance=context["report"])
    context["times_form"] = times_form or ReportTimesForm(report=context["report"])
    context["deliveries"] = context["report"].delivery_list()
    if context["can_edit"]:
        context["versions"] = reports.versions_of(context["report"])
        context["review_panel"] = _review_panel(session, context, **(review_forms or {}))
    return render(request, "sessies/report.html", context, status=status)


def report_view(request, pk):
    return _report_page(request, get_session_for(request.user, pk))


def report_pdf(request, pk):
    session = get_session_for(request.user, pk)
    report = reports.read_report(session)
    if report.is_approved and report.pdf:
        # The approved PDF exactly as it was (and is) sent.
        response = HttpResponse(bytes(report.pdf), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="verslag-{session.pk}.pdf"'
        return response
    return pdf_response(
        reports.REPORT_TEMPLATE, reports.report_context(session), request, f"verslag-{session.pk}-concept.pdf"
    )


@require_POST
def report_texts(request, pk):
    session = get_session_for(request.user, pk, need="report")
    form = ReportTextsForm(request.POST, instance=reports.read_report(session))
    if not form.is_valid():
        return _report_page(request, session, texts_form=form, status=422)
    texts = {name: form.cleaned_data[name] for name in ("summary", "closing_remark")}
    reports.save_texts(reports.report_for(session), **texts)
    messages.success(request, _("The report texts have been saved."))
    return redirect("sessions:report", pk=session.pk)


@require_POST
def report_times(request, pk):
    session = get_session_for(request.user, pk, need="report")
    form = ReportTimesForm(request.POST, report=reports.read_report(session))
    if not form.is_valid():
        return _report_page(request, session, times_form=form, status=422)
    reports.set_include_times(reports.report_for(session), included=form.cleaned_data["include_times"])
    messages.success(request, _("The times appendix setting has been saved."))
    return redirect("sessions:report", pk=session.pk)


@require_POST
def report_note(request, pk, note_pk):
    session = get_session_for(request.user, pk, need="report")
    note = get_object_or_404(Note.objects.alive(), pk=note_pk, session=session)
    action = request.POST.get("action")
    if action not in ("in", "uit", "op", "neer"):
        messages.error(request, _("That change to the report is not available. Reload the page and try again."))
        return _report_page(request, session, status=422)
    report = reports.report_for(session)
    if action in ("in", "uit"):
        reports.set_note_in_report(report, note, action == "in")
    else:
        reports.move_note(report, note, -1 if action == "op" else 1)
    return redirect(reverse("sessions:report", args=[session.pk]) + f"#report-note-{note.pk}")


@require_POST
def report_approve(request, pk):
    session = get_session_for(request.user, pk, need="report")
    report = reports.report_for(session)
    # Allowed with comments unresolved: the secretary decides, warned on the page and here.
    unresolved = review.outcome(review.open_invitations(report))["open"]
    reports.approve(report, by=request.user)
    messages.success(request, _("The report has been approved. It can now be sent."))
    if unresolved:
        messages.warning(
            request,
            ngettext(
                "%(count)s comment from the review was not resolved. The review is closed; the version "
                "approved records it.",
                "%(count)s comments from the review were not resolved. The review is closed; the version "
                "approved records them.",
                unresolved,
            )
            % {"count": unresolved},
        )
    return redirect("sessions:report", pk=session.pk)


def report_version_pdf(request, pk, number):
    """One approved version's PDF exactly as it was approved (and sent), for whoever may see the report."""
    session = get_session_for(request.user, pk)
    version = get_object_or_404(ReportVersion, report__session=session, number=number)
    response = HttpResponse(bytes(version.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{reports.version_filename(session.pk, version.number)}"'
    return response


# ?ontvangers=eerdere: the send form with exactly the recipients of an earlier version checked.
EARLIER_RECIPIENTS = ("ontvangers", "eerdere")


def report_send(request, pk):
    session = get_session_for(request.user, pk, need="send")
    report = reports.read_report(session)  # sending needs an approved, so stored, report
    deliveries = report.delivery_list()
    version_rows = reports.version_rows(report, deliveries)
    latest = version_rows[0][0] if version_rows else None  # newest first
    groups = reports.recipient_groups(session)
    # A correction after sending: who got an earlier version and not this one yet.
    earlier = reports.earlier_recipients(deliveries, latest) if report.is_approved else []
    extra_group = reports.earlier_recipient_group(groups, earlier)
    if extra_group:
        groups.append(extra_group)
    initial = {
        "subject": reports.default_subject(session),
        # No thanks here: the mail adds them for those who took part only (sessies/email/report.txt).
        "message": _("Dear reader,\n\nAttached is the concise report of %(title)s.") % {"title": session.title},
    }
    key, value = EARLIER_RECIPIENTS
    preselect = None
    if earlier and request.GET.get(key) == value:
        preselect = [c.email for c in earlier]
        initial["message"] = _(
            "Dear reader,\n\nAttached is a corrected version (version %(number)s) of the concise report of "
            "%(title)s. It replaces the version you received earlier."
        ) % {"number": latest.number, "title": session.title}
    form = SendReportForm(request.POST or None, initial=initial, groups=groups, preselect=preselect)
    needs_confirmation = False
    if request.method == "POST" and form.is_valid():
        if not report.is_approved:
            messages.error(request, _("Approve the report before sending it."))
            return redirect("sessions:report", pk=session.pk)
        # Asked only when this version went out before; a new version after a correction is not a repeat.
        already_sent = latest is not None and any(d.version_id == latest.pk for d in deliveries)
        if already_sent and not form.cleaned_data["confirm_resend"]:
            needs_confirmation = True
        else:
            reports.queue_deliveries(
                report,
                form.recipient_list(),
                subject=form.cleaned_data["subject"],
                message=form.cleaned_data["message"],
            )
            messages.success(request, _("The report is being sent; the status per recipient is shown below."))
            return redirect("sessions:report_send", pk=session.pk)
    return render(
        request,
        "sessies/report_send.html",
        {
            "session": session,
            "report": report,
            "form": form,
            "needs_confirmation": needs_confirmation,
            "latest_version": latest,
            "version_rows": version_rows,
            "earlier_recipients": earlier,
            "earlier_query": f"{key}={value}",
            "deliveries": deliveries,
            "has_unsent": any(not d.is_sent for d in deliveries),
            "max_attempts": outbox.MAX_ATTEMPTS,
        },
        status=422 if request.method == "POST" and not needs_confirmation else 200,
    )


@require_POST
def report_retry(request, pk):
    # Sending again is sending: the same rule as the send page.
    session = get_session_for(request.user, pk, need="send")
    report = reports.read_report(session)
    count = outbox.retry(report) if report.pk else 0
    messages.info(request, _("%(count)s unsent deliveries queued again.") % {"count": count})
    return redirect("sessions:report_send", pk=session.pk)
