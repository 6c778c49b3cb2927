"""Personal data (AVG): the public privacy page, and export and erasure for administrators."""

import json

from crispy_forms.helper import FormHelper
from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gesprekstafels.lib.http import parse_id
from sessies import personal_data
from sessies.access import can_manage_personal_data
from sessies.models import Erasure

TEMPLATE = "sessies/personal_data.html"


class PersonForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail address"), max_length=254)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class EraseForm(PersonForm):
    confirm_email = forms.CharField(label=gettext_lazy("Type the address again to confirm"), max_length=254, strip=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget = forms.HiddenInput()

    def clean(self):
        cleaned = super().clean()
        email, confirmation = cleaned.get("email"), cleaned.get("confirm_email")
        if email and confirmation is not None and confirmation.lower() != email.lower():
            raise ValidationError(_("The addresses differ. Nothing has been erased."), code="mismatch")
        return cleaned


def _counts(erasure):
    return [(label, erasure.counts.get(key, 0)) for key, label in personal_data.COUNT_LABELS.items()]


def _page(request, *, form=None, erase_form=None, found=None, nothing_found=False, erasure=None, status=200):
    context = {
        "form": form or PersonForm(),
        "erase_form": erase_form,
        "found": found,
        "nothing_found": nothing_found,
        "erasure": erasure,
        "erasure_counts": _counts(erasure) if erasure else None,
    }
    response = render(request, TEMPLATE, context, status=status)
    add_never_cache_headers(response)
    return response


def _summary(export):
    """What the confirmation shows: how many of each kind were found (no personal data)."""
    return [
        (_("project contacts"), len(export["contacts"])),
        (_("session participants"), len(export["participants"])),
        (_("report deliveries"), len(export["deliveries"])),
        (_("user accounts"), len(export["accounts"])),
        (_("texts that contain the address"), len(export["mentions"])),
        (_("login records"), len(export["login_records"])),
    ]


def _download(export):
    body = json.dumps(export, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    filename = f"persoonsgegevens-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    add_never_cache_headers(response)
    return response


def personal_data_view(request):
    """Find a person by address; export what is stored, or erase it after typing the address again.

    The address travels in POST bodies only, never in a URL (which servers log).
    """
    if not can_manage_personal_data(request.user):
        raise PermissionDenied
    if request.method != "POST":
        erasure_id = parse_id(request.GET.get("gewist", ""))
        erasure = Erasure.objects.filter(pk=erasure_id).first() if erasure_id else None
        return _page(request, erasure=erasure)
    action = request.POST.get("action")
    if action == "confirm":
        return _erase(request)
    form = PersonForm(request.POST)
    if action not in ("export", "erase"):
        return _page(request, form=form, status=422)
    if not form.is_valid():
        return _page(request, form=form, status=422)
    export = personal_data.export_person(form.cleaned_data["email"])
    if personal_data.is_empty(export):
        return _page(request, form=form, nothing_found=True)
    if action == "export":
        return _download(export)
    erase_form = EraseForm(initial={"email": form.cleaned_data["email"]})
    return _page(request, form=form, erase_form=erase_form, found=_summary(export))


def _erase(request):
    erase_form = EraseForm(request.POST)
    if not erase_form.is_valid():
        email = erase_form.cleaned_data.get("email")
        found = _summary(personal_data.export_person(email)) if email else None
        return _page(request, erase_form=erase_form, found=found, status=422)
    try:
        erasure = personal_data.erase_person(erase_form.cleaned_data["email"], by=request.user)
    except personal_data.PersonalDataError as error:
        erase_form.add_error(None, str(error))
        return _page(request, erase_form=erase_form, status=422)
    return redirect(f"{reverse('personal_data')}?gewist={erasure.pk}")


@login_not_required
def privacy_view(request):
    context = {
        "retention_days": settings.CONTACT_RETENTION_DAYS,
        "contact_email": settings.PRIVACY_CONTACT_EMAIL,
    }
    return render(request, "sessies/privacy.html", context)
