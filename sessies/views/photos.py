"""Photos of the flip-overs: added, captioned, ordered and deleted on the notes page; served to whoever sees the session.

The image is served by a view, never from MEDIA_URL: the photos hold what participants wrote
on the flip-overs, so only people who may see the session may fetch them (404 for anyone else).
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from sessies import photos
from sessies.access import get_session_for
from sessies.models import SessionPhoto
from sessies.screens import Screen, notes_page_context

CAPTION_MAX_LENGTH = SessionPhoto._meta.get_field("caption").max_length
ACCEPT = "image/jpeg,image/png"


class PhotoUploadForm(forms.Form):
    """One photo: from the camera (phones open it at once) or from a file; the content is checked in sessies.photos."""

    camera = forms.FileField(
        label=gettext_lazy("Take a photo"),
        required=False,
        widget=forms.FileInput(attrs={"accept": ACCEPT, "capture": "environment"}),
    )
    file = forms.FileField(
        label=gettext_lazy("Or choose a file"), required=False, widget=forms.FileInput(attrs={"accept": ACCEPT})
    )
    caption = forms.CharField(label=gettext_lazy("Caption"), required=False, max_length=CAPTION_MAX_LENGTH)

    def clean(self):
        data = super().clean()
        chosen = [upload for upload in (data.get("camera"), data.get("file")) if upload]
        if len(chosen) > 1:
            raise ValidationError(_("Add one photo at a time: take a photo or choose a file, not both."))
        if not chosen and not self.errors:
            raise ValidationError(_("Take a photo or choose a file first."))
        data["upload"] = chosen[0] if chosen else None
        return data


class CaptionForm(forms.Form):
    caption = forms.CharField(label=gettext_lazy("Caption"), required=False, max_length=CAPTION_MAX_LENGTH)


def _back(session):
    return redirect(reverse("sessions:notes", args=[session.pk]) + "#photos")


def _refused(request, session, error, *, status=422, **extra):
    """The notes page again, with what was refused said in the photos section; nothing was changed."""
    context = notes_page_context(session, user=request.user, photo_errors=[error], **extra)
    return render(request, Screen.NOTES.template, context, status=status)


def _form_errors(form):
    return [error for errors in form.errors.values() for error in errors]


@require_POST
def photo_add(request, pk):
    session = get_session_for(request.user, pk, need="write")
    form = PhotoUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        context = notes_page_context(session, user=request.user, photo_errors=_form_errors(form), photo_form=form)
        return render(request, Screen.NOTES.template, context, status=422)
    try:
        photos.add_photo(
            session=session, file=form.cleaned_data["upload"], caption=form.cleaned_data["caption"], by=request.user
        )
    except photos.PhotoError as error:
        return _refused(request, session, error.message, photo_form=form)
    messages.success(request, _("The photo has been added."))
    return _back(session)


def _photo_for(request, pk, photo_pk, *, need):
    session = get_session_for(request.user, pk, need=need)
    return session, get_object_or_404(SessionPhoto, pk=photo_pk, session=session)


@require_POST
def photo_caption(request, pk, photo_pk):
    session, photo = _photo_for(request, pk, photo_pk, need="write")
    form = CaptionForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            Screen.NOTES.template,
            notes_page_context(session, user=request.user, photo_errors=_form_errors(form)),
            status=422,
        )
    photos.set_caption(photo=photo, caption=form.cleaned_data["caption"])
    messages.success(request, _("The caption has been saved."))
    return _back(session)


@require_POST
def photo_order(request, pk):
    session = get_session_for(request.user, pk, need="write")
    try:
        photo_ids = [int(value) for value in request.POST.get("order", "").split(",")]
    except ValueError:
        return _refused(
            request, session, _("That change to the photos is not available. Reload the page and try again.")
        )
    try:
        photos.reorder(session=session, photo_ids=photo_ids)
    except photos.PhotosChanged as error:
        return _refused(request, session, error.message, status=409)
    return _back(session)


@require_POST
def photo_delete(request, pk, photo_pk):
    session = get_session_for(request.user, pk, need="write")
    photo = SessionPhoto.objects.filter(pk=photo_pk, session=session).first()
    # Already gone (deleted in another tab): the wish is fulfilled; the list shows the current state.
    if photo is not None:
        photos.delete_photo(photo=photo)
        messages.info(request, _("The photo has been deleted."))
    return _back(session)


@require_safe
def photo_image(request, pk, photo_pk):
    _session, photo = _photo_for(request, pk, photo_pk, need="view")
    try:
        file = photo.image.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    # Stored photos are always the JPEG sessies.photos made, whatever was uploaded.
    response = FileResponse(file, content_type="image/jpeg")
    # Only this user's browser may keep it; a stored photo never changes under its URL.
    response["Cache-Control"] = "private, max-age=3600"
    return response
