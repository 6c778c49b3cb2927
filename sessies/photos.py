"""Photos of the flip-overs and boards, the basis of the report (seed 000: "mede op basis van de flip of Mural").

An upload is checked by its content, never by its name or the content type the browser sends:
only JPEG and PNG that Pillow can read, with a pixel ceiling checked from the header before
anything is decoded. What is stored is a new JPEG made from the pixels alone: turned upright by
its EXIF orientation, scaled down, with no EXIF (so no location), comments or colour profile,
under a random name, through Django's storage API (the filesystem by default, any backend in
production). The PDF embeds a further reduced copy as a data: URI, because the PDF renderer
fetches nothing else (gesprekstafels.lib.pdf).
"""

import base64
import io
import logging
import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from PIL import Image, ImageFile, ImageOps

from sessies.models import Report, SessionPhoto

logger = logging.getLogger(__name__)

ACCEPTED_FORMATS = ("JPEG", "PNG")
# 40 megapixels is more than any phone camera takes (a 4000×3000 photo is 12). Pillow itself
# refuses twice its ceiling in Image.open, from the header, before decoding a single pixel; the
# check in clean_image refuses anything over the ceiling the same way. Set for the whole process:
# nothing else the app opens (photos for the PDF) comes anywhere near it.
MAX_PIXELS = 40_000_000
Image.MAX_IMAGE_PIXELS = MAX_PIXELS
DEFAULT_MAX_UPLOAD_BYTES = 15 * 1024 * 1024
# Stored: enough to read a flip-over's handwriting on a screen.
MAX_SIDE = 2000
JPEG_QUALITY = 82
REDUCIBLE_MODES = ("RGB", "RGBA", "L", "LA", "CMYK")
# In the PDF: about 200 dpi across the page width; ten photos stay near 2 MB.
PDF_MAX_SIDE = 1400
PDF_JPEG_QUALITY = 75
# More than a session's flip-overs and boards ever are; keeps the report's PDF within reason.
MAX_PHOTOS_PER_SESSION = 30


class PhotoError(Exception):
    """An upload or change that is refused; `message` says why, for the user."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class PhotosChanged(PhotoError):
    """The order posted is not of the photos the session has now (another tab added or deleted one)."""


@dataclass(frozen=True)
class CleanPhoto:
    data: bytes
    width: int
    height: int


def max_upload_bytes():
    return getattr(settings, "PHOTO_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES)


def _not_a_photo():
    return PhotoError(_("This file is not a JPEG or PNG photo. Choose a photo in one of those formats."))


def _too_many_pixels():
    return PhotoError(
        _(
            "This image has too many pixels: at most %(limit)s megapixels are accepted. "
            "Take the photo at a lower resolution or send a smaller copy."
        )
        % {"limit": MAX_PIXELS // 1_000_000}
    )


def _open(file):
    """Open `file` as JPEG or PNG (reading the header only); refuse anything else or too many pixels."""
    file.seek(0)
    try:
        image = Image.open(file, formats=ACCEPTED_FORMATS)
    except Image.DecompressionBombError as error:
        raise _too_many_pixels() from error
    except Exception as error:
        # UnidentifiedImageError for anything that is not JPEG or PNG; a damaged header can make
        # a decoder raise almost anything.
        raise _not_a_photo() from error
    width, height = image.size
    if width * height > MAX_PIXELS:
        raise _too_many_pixels()
    return image


def clean_image(file):
    """The photo in `file` (a file object) as a clean JPEG, or PhotoError saying what is wrong with it."""
    size = getattr(file, "size", None)
    if size is None:
        size = file.seek(0, io.SEEK_END)
    limit = max_upload_bytes()
    if size > limit:
        raise PhotoError(
            _(
                "This file is %(size)s; a photo may be at most %(limit)s. "
                "Take it at a lower resolution or send a smaller copy."
            )
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)}
        )
    if not size:
        raise PhotoError(_("This file is empty. Choose the photo again."))
    try:
        with _strict_decoding():
            _open(file).verify()
            # verify() leaves the image unusable: open it again to decode.
            image = _open(file)
            if image.format == "JPEG":
                # Let the JPEG decoder scale down by 2, 4 or 8 while decoding: less memory, less time.
                image.draft(None, (MAX_SIDE, MAX_SIDE))
            image.load()
        # Scale down by a whole factor first (a cheap box average), so the copies made below are
        # small: a 40-megapixel PNG no longer costs a worker several hundred MB more.
        factor = max(image.size) // MAX_SIDE
        if factor > 1 and image.mode in REDUCIBLE_MODES:
            image = image.reduce(factor)
        ImageOps.exif_transpose(image, in_place=True)
        image = _flattened(image)
        image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    except PhotoError:
        raise
    except Exception as error:
        # Truncated or damaged files fail here, in whatever way the decoder notices.
        raise PhotoError(
            _("This photo could not be read: the file is damaged or incomplete. Take or choose the photo again.")
        ) from error
    return CleanPhoto(_jpeg(image, quality=JPEG_QUALITY), image.width, image.height)


@contextmanager
def _strict_decoding():
    """Decode with Pillow's check for truncated files on.

    WeasyPrint turns that check off for the whole process when imported (weasyprint/images.py),
    and a cut-off photo would then be stored half grey. Restored afterwards; the PDF renderer only
    ever reads the clean JPEGs made here, so the moment it is on elsewhere changes nothing there.
    """
    previous = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        yield
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _flattened(image):
    """The pixels only, as RGB or greyscale: transparency on white; no metadata comes along."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
    elif image.mode in ("RGB", "L"):
        flat = image.copy()
    else:
        flat = image.convert("RGB")
    # EXIF (location included), XMP, comments and the colour profile stay behind.
    flat.info = {}
    return flat


def _jpeg(image, *, quality):
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality, optimize=True)
    return buffer.getvalue()


def _withdraw_approval(session_id):
    """A photo is part of the report: changing one withdraws its approval."""
    Report.objects.filter(session_id=session_id).withdraw_approval()


# Changes


def add_photo(*, session, file, caption="", by=None):
    """Check, clean and store the photo in `file`; PhotoError (with nothing stored) when refused."""
    if session.photos.count() >= MAX_PHOTOS_PER_SESSION:
        raise PhotoError(
            _("A session can have at most %(count)s photos. Delete one before adding another.")
            % {"count": MAX_PHOTOS_PER_SESSION}
        )
    clean = clean_image(file)
    photo = SessionPhoto(session=session, caption=caption, width=clean.width, height=clean.height, uploaded_by=by)
    # A random name: the uploaded name may carry a person's name or a date, and is never used.
    photo.image.save(f"{secrets.token_hex(16)}.jpg", ContentFile(clean.data), save=False)
    try:
        with transaction.atomic():
            last = session.photos.aggregate(last=Max("order"))["last"]
            photo.order = 0 if last is None else last + 1
            photo.save()
            _withdraw_approval(session.pk)
    except BaseException:
        photo.image.storage.delete(photo.image.name)
        raise
    return photo


def set_caption(*, photo, caption):
    if caption == photo.caption:
        return photo
    with transaction.atomic():
        SessionPhoto.objects.filter(pk=photo.pk).update(caption=caption)
        _withdraw_approval(photo.session_id)
    photo.caption = caption
    return photo


def reorder(*, session, photo_ids):
    """Put the session's photos in the order of `photo_ids`.

    The up and down buttons post the whole order they lead to, so a second click on the same
    button (a double click) asks for the order that is already there and changes nothing.
    PhotosChanged when `photo_ids` are not exactly the session's photos.
    """
    with transaction.atomic():
        photos = {p.pk: p for p in SessionPhoto.objects.select_for_update().filter(session=session)}
        if len(photo_ids) != len(photos) or set(photo_ids) != set(photos):
            raise PhotosChanged(
                _(
                    "The photos changed meanwhile (another tab or device). The list now shows them as they are; try again."
                )
            )
        changed = False
        for position, pk in enumerate(photo_ids):
            if photos[pk].order != position:
                SessionPhoto.objects.filter(pk=pk).update(order=position)
                changed = True
        if changed:
            _withdraw_approval(session.pk)
    return changed


def delete_photo(*, photo):
    with transaction.atomic():
        photo.delete()  # the file goes after the commit (_delete_file)
        _withdraw_approval(photo.session_id)


@receiver(post_delete, sender=SessionPhoto, dispatch_uid="sessies.photos.delete_file")
def _delete_file(sender, instance, **kwargs):
    """Remove the stored file once the row is gone for good, however it was deleted (a session's too)."""
    name, storage = instance.image.name, instance.image.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name))


# Reading


@dataclass
class ManagedPhoto:
    """A photo on the notes page, with the orders its up and down buttons post ("" at either end)."""

    photo: SessionPhoto
    up_order: str
    down_order: str


def _order_with_swap(ids, index, other):
    if not 0 <= other < len(ids):
        return ""
    swapped = list(ids)
    swapped[index], swapped[other] = swapped[other], swapped[index]
    return ",".join(map(str, swapped))


def managed_photos(session):
    """The session's photos for the notes page: loaded only if the page shows them (the poll does not)."""

    def load():
        photos = list(session.photos.all())
        ids = [p.pk for p in photos]
        return [
            ManagedPhoto(p, _order_with_swap(ids, i, i - 1), _order_with_swap(ids, i, i + 1))
            for i, p in enumerate(photos)
        ]

    return SimpleLazyObject(load)


class ReportPhoto:
    """A photo in the report: its URL for the page, a small embedded copy for the PDF (made when asked)."""

    def __init__(self, photo):
        self.photo = photo
        self.caption = photo.caption
        self.width, self.height = photo.width, photo.height

    @property
    def url(self):
        return reverse("sessions:photo_image", args=[self.photo.session_id, self.photo.pk])

    @cached_property
    def data_uri(self):
        """A data: URI of a JPEG at most PDF_MAX_SIDE pixels; "" when the stored file cannot be read."""
        try:
            with self.photo.image.open("rb") as file:
                image = Image.open(file, formats=["JPEG"])
                image.draft(None, (PDF_MAX_SIDE, PDF_MAX_SIDE))
                image.load()
                image = _flattened(image)
            image.thumbnail((PDF_MAX_SIDE, PDF_MAX_SIDE), Image.Resampling.LANCZOS)
        except Exception:
            # A file lost from storage must not stop the report: the PDF goes without that photo.
            logger.warning(
                "Photo %s (%s) could not be read for the PDF", self.photo.pk, self.photo.image.name, exc_info=True
            )
            return ""
        return "data:image/jpeg;base64," + base64.b64encode(_jpeg(image, quality=PDF_JPEG_QUALITY)).decode("ascii")


def report_photos(session):
    """The photos the report shows, in their order (one query)."""
    return [ReportPhoto(photo) for photo in session.photos.all()]
