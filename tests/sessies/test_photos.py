"""Photos of the flip-overs and boards: checked by content, cleaned, stored, ordered, served and reported."""

import io
import struct
import zlib
from pathlib import Path

import pypdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import ExifTags, Image, ImageDraw

from sessies import photos, reports, timeline
from sessies.models import Report, SessionPhoto
from tests.factories import SessionFactory

pytestmark = pytest.mark.usefixtures("english")

NOT_A_PHOTO = "This file is not a JPEG or PNG photo. Choose a photo in one of those formats."
TOO_MANY_PIXELS = (
    "This image has too many pixels: at most 40 megapixels are accepted. "
    "Take the photo at a lower resolution or send a smaller copy."
)
DAMAGED = "This photo could not be read: the file is damaged or incomplete. Take or choose the photo again."


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Every stored file goes to a fresh directory, which the tests inspect."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(root):
    return sorted(path for path in Path(root).rglob("*") if path.is_file())


def picture(size, *, noise=24):
    """A flip-over-like picture: noise (so JPEG cannot compress it away) under a few shapes."""
    image = Image.merge("RGB", [Image.effect_noise(size, noise) for _ in range(3)])
    draw = ImageDraw.Draw(image)
    draw.rectangle((size[0] // 10, size[1] // 10, size[0] // 2, size[1] // 3), fill=(200, 30, 30))
    draw.ellipse((size[0] // 2, size[1] // 2, size[0] - 10, size[1] - 10), outline=(0, 0, 120), width=12)
    return image


def exif_with_location(orientation=1):
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "GeheimeCamera"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (52.0, 5.0, 30.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (5.0, 7.0, 12.0)
    return exif


def jpeg_bytes(size=(2600, 1950), *, orientation=1, noise=24):
    buffer = io.BytesIO()
    picture(size, noise=noise).save(
        buffer, "JPEG", quality=90, exif=exif_with_location(orientation), comment=b"Zaal 3, Petra"
    )
    return buffer.getvalue()


def png_bytes(size=(2400, 1800), *, orientation=1):
    image = Image.new("RGBA", size, (255, 255, 255, 0))
    ImageDraw.Draw(image).rectangle((100, 100, size[0] - 100, size[1] - 100), fill=(20, 120, 20, 255))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", exif=exif_with_location(orientation))
    return buffer.getvalue()


def blank_png(width, height):
    """A real, valid greyscale PNG of width×height that is small on disk (the pixels are all black)."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    compressor, rows = zlib.compressobj(1), bytes((width + 1) * 200)
    data = b"".join(compressor.compress(rows) for _ in range(height // 200)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def huge_png():
    return blank_png(20_000, 20_000)


def embedded_images(reader):
    """{name: (width, height)} of the images in the PDF (WeasyPrint lists them on every page)."""
    return {image.name: image.image.size for page in reader.pages for image in page.images}


def upload(name, data, content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def post_photo(client, session, data, *, name="flip.jpg", field="file", caption="", content_type="image/jpeg"):
    return client.post(
        reverse("sessions:photo_add", args=[session.pk]),
        {field: upload(name, data, content_type), "caption": caption},
    )


def add(session, by, *, caption="", size=(320, 240)):
    """A photo added through the domain function (small, so the test stays quick)."""
    buffer = io.BytesIO()
    picture(size).save(buffer, "JPEG")
    return photos.add_photo(session=session, file=upload("x.jpg", buffer.getvalue()), caption=caption, by=by)


def assert_clean(photo):
    """The stored file is a JPEG without EXIF (no location), comment or profile, at most 2000 px a side."""
    with photo.image.open("rb") as file:
        raw = file.read()
    image = Image.open(io.BytesIO(raw))
    assert image.format == "JPEG"
    assert len(image.getexif()) == 0
    assert not {"exif", "comment", "icc_profile", "xmp"} & set(image.info)
    assert b"Exif" not in raw and b"GeheimeCamera" not in raw and b"Petra" not in raw
    assert max(image.size) == 2000
    assert (photo.width, photo.height) == image.size
    return image


# Uploading


@pytest.mark.django_db
def test_it_stores_a_jpeg_upright_downscaled_and_without_exif_or_location(client, session, secretary, media_root):
    client.force_login(secretary)
    # Orientation 6: the camera held upright; the pixels lie on their side.
    response = post_photo(client, session, jpeg_bytes((2600, 1950), orientation=6), caption="Flap ronde 1")

    assert response.status_code == 302
    assert response["Location"] == reverse("sessions:notes", args=[session.pk]) + "#photos"
    photo = SessionPhoto.objects.get(session=session)
    image = assert_clean(photo)
    assert image.size == (1500, 2000)
    assert photo.caption == "Flap ronde 1" and photo.uploaded_by == secretary and photo.order == 0
    # A random name under the storage's folder, never the uploaded one.
    assert photo.image.name.startswith("sessies/fotos/") and "flip" not in photo.image.name
    assert stored_files(media_root) == [Path(media_root) / photo.image.name]


@pytest.mark.django_db
def test_it_stores_a_png_as_jpeg_without_exif_with_transparency_on_white(client, session, facilitator):
    client.force_login(facilitator)

    response = post_photo(client, session, png_bytes((2400, 1800)), name="bord.png", field="camera")

    assert response.status_code == 302
    photo = SessionPhoto.objects.get(session=session)
    image = assert_clean(photo)
    assert image.size == (2000, 1500)
    assert image.convert("RGB").getpixel((5, 5)) == (255, 255, 255)


@pytest.mark.django_db
def test_it_turns_and_scales_down_a_large_png(session, secretary):
    # 6100 px wide: scaled down by a whole factor first, then to 2000 px; orientation 8 turns it upright.
    photo = photos.add_photo(
        session=session, file=upload("bord.png", png_bytes((6100, 4000), orientation=8), "image/png"), by=secretary
    )

    image = assert_clean(photo)
    assert image.size == (1312, 2000)


@pytest.mark.django_db
def test_it_keeps_a_small_photo_at_its_size(session, secretary):
    photo = add(session, secretary, size=(320, 240))

    assert (photo.width, photo.height) == (320, 240)


@pytest.mark.django_db
def test_it_refuses_a_text_file_named_jpg_and_stores_nothing(client, session, secretary, media_root):
    client.force_login(secretary)

    response = post_photo(client, session, b"Dit is geen foto.\n" * 200, name="flip.jpg", caption="Bewaard")

    assert response.status_code == 422
    content = response.content.decode()
    assert NOT_A_PHOTO in content
    # The typed caption stays in the field.
    assert 'name="caption" maxlength="300" value="Bewaard"' in content
    assert not SessionPhoto.objects.exists()
    assert stored_files(media_root) == []


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["GIF", "BMP"])
def test_it_refuses_other_image_formats(client, session, secretary, kind, media_root):
    client.force_login(secretary)
    buffer = io.BytesIO()
    picture((200, 150)).save(buffer, kind)

    response = post_photo(client, session, buffer.getvalue(), name="flip.jpg")

    assert response.status_code == 422
    assert NOT_A_PHOTO in response.content.decode()
    assert stored_files(media_root) == [] and not SessionPhoto.objects.exists()


@pytest.mark.django_db
def test_it_refuses_a_truncated_jpeg(client, session, secretary, media_root):
    client.force_login(secretary)
    data = jpeg_bytes((800, 600))

    response = post_photo(client, session, data[: len(data) // 2])

    assert response.status_code == 422
    assert DAMAGED in response.content.decode()
    assert stored_files(media_root) == [] and not SessionPhoto.objects.exists()


@pytest.mark.django_db
def test_it_refuses_a_file_over_the_default_limit_before_reading_it(client, session, secretary, media_root):
    client.force_login(secretary)
    # A JPEG's start followed by 15 MB: refused for its size, whatever it holds.
    data = b"\xff\xd8\xff\xe0" + bytes(15 * 1024 * 1024)

    response = post_photo(client, session, data)

    assert response.status_code == 422
    assert (
        "This file is 15.0\xa0MB; a photo may be at most 15.0\xa0MB. "
        "Take it at a lower resolution or send a smaller copy." in response.content.decode()
    )
    assert stored_files(media_root) == [] and not SessionPhoto.objects.exists()


@pytest.mark.django_db
def test_it_takes_the_limit_from_the_setting(client, session, secretary, settings, media_root):
    settings.PHOTO_MAX_UPLOAD_BYTES = 100 * 1024
    client.force_login(secretary)
    data = jpeg_bytes((800, 600))
    assert len(data) > 100 * 1024

    response = post_photo(client, session, data)

    assert response.status_code == 422
    assert "; a photo may be at most 100.0\xa0KB." in response.content.decode()
    assert stored_files(media_root) == [] and not SessionPhoto.objects.exists()


@pytest.mark.django_db
def test_it_refuses_a_20000_by_20000_image_without_decoding_it(client, session, secretary, huge_png, media_root):
    client.force_login(secretary)
    assert len(huge_png) < 2 * 1024 * 1024

    response = post_photo(client, session, huge_png, name="bord.png", content_type="image/png")

    assert response.status_code == 422
    assert TOO_MANY_PIXELS in response.content.decode()
    assert stored_files(media_root) == [] and not SessionPhoto.objects.exists()


@pytest.mark.django_db
def test_it_refuses_an_image_just_over_the_pixel_ceiling(client, session, secretary, media_root):
    # 48 megapixels: under Pillow's own refusal (twice the ceiling), refused by the check itself.
    client.force_login(secretary)

    with pytest.warns(Image.DecompressionBombWarning):
        response = post_photo(client, session, blank_png(8000, 6000), name="bord.png")

    assert response.status_code == 422
    assert TOO_MANY_PIXELS in response.content.decode()
    assert stored_files(media_root) == [] and not SessionPhoto.objects.exists()


@pytest.mark.django_db
def test_it_asks_for_a_photo_when_none_was_chosen_and_for_one_at_a_time(client, session, secretary):
    client.force_login(secretary)
    url = reverse("sessions:photo_add", args=[session.pk])

    nothing = client.post(url, {"caption": "Flap"})
    both = client.post(url, {"camera": upload("a.jpg", jpeg_bytes((300, 200))), "file": upload("b.jpg", b"x")})

    assert nothing.status_code == 422
    assert "Take a photo or choose a file first." in nothing.content.decode()
    assert both.status_code == 422
    assert "Add one photo at a time: take a photo or choose a file, not both." in both.content.decode()
    assert not SessionPhoto.objects.exists()


@pytest.mark.django_db
def test_it_refuses_more_photos_than_a_session_may_have(session, secretary, monkeypatch, media_root):
    monkeypatch.setattr(photos, "MAX_PHOTOS_PER_SESSION", 2)
    add(session, secretary)
    add(session, secretary)

    with pytest.raises(photos.PhotoError) as refused:
        add(session, secretary)

    assert refused.value.message == "A session can have at most 2 photos. Delete one before adding another."
    assert len(stored_files(media_root)) == 2


@pytest.mark.django_db
def test_a_change_to_the_photos_withdraws_the_reports_approval(client, harvested, secretary):
    reports.approve(reports.report_for(harvested), by=secretary)
    client.force_login(secretary)

    post_photo(client, harvested, jpeg_bytes((400, 300)))

    assert Report.objects.get(session=harvested).approved_at is None


@pytest.mark.django_db
def test_a_refused_upload_keeps_the_approval(client, harvested, secretary):
    reports.approve(reports.report_for(harvested), by=secretary)
    client.force_login(secretary)

    assert post_photo(client, harvested, b"geen foto").status_code == 422

    assert Report.objects.get(session=harvested).approved_at is not None


# Who may


def photo_urls(session, photo):
    return {
        "add": reverse("sessions:photo_add", args=[session.pk]),
        "order": reverse("sessions:photo_order", args=[session.pk]),
        "caption": reverse("sessions:photo_caption", args=[session.pk, photo.pk]),
        "delete": reverse("sessions:photo_delete", args=[session.pk, photo.pk]),
    }


@pytest.mark.django_db
def test_a_researcher_of_the_project_sees_the_photos_but_may_not_change_them(client, session, secretary, researcher):
    photo = add(session, secretary, caption="Flap")
    client.force_login(researcher)

    image = client.get(reverse("sessions:photo_image", args=[session.pk, photo.pk]))
    page = client.get(reverse("sessions:notes", args=[session.pk])).content.decode()
    bodies = {
        "add": {"file": upload("a.jpg", jpeg_bytes((300, 200)))},
        "order": {"order": str(photo.pk)},
        "caption": {"caption": "Anders"},
        "delete": {},
    }
    answers = {name: client.post(url, bodies[name]).status_code for name, url in photo_urls(session, photo).items()}

    assert image.status_code == 200
    assert reverse("sessions:photo_image", args=[session.pk, photo.pk]) in page
    assert f'action="{reverse("sessions:photo_add", args=[session.pk])}"' not in page
    assert 'name="order"' not in page and 'name="caption"' not in page
    assert answers == {"add": 403, "order": 403, "caption": 403, "delete": 403}
    assert list(SessionPhoto.objects.values_list("caption", flat=True)) == ["Flap"]


@pytest.mark.django_db
def test_an_outsider_gets_404_on_every_photo_url(client, session, secretary, outsider):
    photo = add(session, secretary)
    client.force_login(outsider)

    answers = {
        name: client.post(url, {"order": str(photo.pk)}).status_code for name, url in photo_urls(session, photo).items()
    }
    image = client.get(reverse("sessions:photo_image", args=[session.pk, photo.pk]))

    assert answers == {"add": 404, "order": 404, "caption": 404, "delete": 404}
    assert image.status_code == 404
    assert SessionPhoto.objects.filter(pk=photo.pk).exists()


@pytest.mark.django_db
def test_a_photo_of_another_session_is_not_found_through_this_one(client, session, secretary):
    other = SessionFactory(project=session.project, facilitator=session.facilitator, secretary=secretary)
    photo = add(other, secretary)
    client.force_login(secretary)

    assert client.get(reverse("sessions:photo_image", args=[session.pk, photo.pk])).status_code == 404
    assert (
        client.post(reverse("sessions:photo_caption", args=[session.pk, photo.pk]), {"caption": "x"}).status_code == 404
    )


# Serving


@pytest.mark.django_db
def test_it_serves_the_stored_jpeg_privately(client, session, secretary, researcher):
    photo = add(session, secretary)
    client.force_login(researcher)

    response = client.get(reverse("sessions:photo_image", args=[session.pk, photo.pk]))

    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, max-age=3600"
    assert response["X-Content-Type-Options"] == "nosniff"
    with photo.image.open("rb") as file:
        assert b"".join(response.streaming_content) == file.read()


@pytest.mark.django_db
def test_the_media_url_serves_nothing(client, session, secretary, settings):
    photo = add(session, secretary)
    client.force_login(secretary)

    response = client.get("/" + settings.MEDIA_URL + photo.image.name)

    assert response.status_code == 404


@pytest.mark.django_db
def test_a_file_lost_from_storage_answers_404(client, session, secretary):
    photo = add(session, secretary)
    photo.image.storage.delete(photo.image.name)
    client.force_login(secretary)

    assert client.get(reverse("sessions:photo_image", args=[session.pk, photo.pk])).status_code == 404


# Caption, order, delete


@pytest.mark.django_db
def test_it_saves_a_caption_and_refuses_one_too_long(client, session, secretary):
    photo = add(session, secretary, caption="Flap")
    client.force_login(secretary)
    url = reverse("sessions:photo_caption", args=[session.pk, photo.pk])

    saved = client.post(url, {"caption": "  Flap ronde 2 <b>  "})
    too_long = client.post(url, {"caption": "x" * 301})

    assert saved.status_code == 302
    assert too_long.status_code == 422
    assert "Ensure this value has at most 300 characters (it has 301)." in too_long.content.decode()
    photo.refresh_from_db()
    assert photo.caption == "Flap ronde 2 <b>"


def order_of(session):
    return list(session.photos.values_list("caption", flat=True))


@pytest.mark.django_db
def test_the_order_buttons_post_the_order_they_lead_to_and_a_double_click_changes_nothing_more(
    client, session, secretary
):
    first, second, third = (add(session, secretary, caption=c) for c in "ABC")
    client.force_login(secretary)
    page = client.get(reverse("sessions:notes", args=[session.pk])).content.decode()
    up_third = f"{first.pk},{third.pk},{second.pk}"
    assert f'name="order" value="{up_third}"' in page
    url = reverse("sessions:photo_order", args=[session.pk])

    once = client.post(url, {"order": up_third})
    twice = client.post(url, {"order": up_third})

    assert once.status_code == twice.status_code == 302
    assert order_of(session) == ["A", "C", "B"]


@pytest.mark.django_db
def test_an_order_of_other_photos_is_refused_as_changed_meanwhile(client, session, secretary):
    add(session, secretary, caption="A")
    second = add(session, secretary, caption="B")
    client.force_login(secretary)
    url = reverse("sessions:photo_order", args=[session.pk])

    stale = client.post(url, {"order": f"{second.pk}"})
    garbage = client.post(url, {"order": "twee,een"})

    assert stale.status_code == 409
    assert (
        "The photos changed meanwhile (another tab or device). The list now shows them as they are; try again."
        in stale.content.decode()
    )
    assert garbage.status_code == 422
    assert "That change to the photos is not available. Reload the page and try again." in garbage.content.decode()
    assert order_of(session) == ["A", "B"]


@pytest.mark.django_db
def test_it_deletes_a_photo_and_its_file_and_a_second_click_is_harmless(
    client, session, secretary, media_root, django_capture_on_commit_callbacks
):
    keep, gone = add(session, secretary, caption="A"), add(session, secretary, caption="B")
    client.force_login(secretary)
    url = reverse("sessions:photo_delete", args=[session.pk, gone.pk])

    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url)
    second = client.post(url)

    assert first.status_code == second.status_code == 302
    assert order_of(session) == ["A"]
    assert stored_files(media_root) == [Path(media_root) / keep.image.name]


@pytest.mark.django_db
def test_deleting_a_session_removes_its_photos_files(
    session, secretary, media_root, django_capture_on_commit_callbacks
):
    add(session, secretary)

    with django_capture_on_commit_callbacks(execute=True):
        session.delete()

    assert stored_files(media_root) == []


# Pages


@pytest.mark.django_db
def test_the_notes_page_shows_the_upload_form_with_camera_and_file(client, session, secretary):
    client.force_login(secretary)

    content = client.get(reverse("sessions:notes", args=[session.pk])).content.decode()

    assert 'enctype="multipart/form-data"' in content
    assert 'name="camera" accept="image/jpeg,image/png" capture="environment"' in content
    assert 'name="file" accept="image/jpeg,image/png" aria-describedby' in content
    assert "No photos yet." in content


@pytest.mark.django_db
def test_the_notes_page_costs_no_more_queries_with_more_photos(client, session, secretary, django_assert_num_queries):
    add(session, secretary)
    client.force_login(secretary)
    url = reverse("sessions:notes", args=[session.pk])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for caption in "BCDE":
        add(session, secretary, caption=caption)

    with django_assert_num_queries(len(few)):
        content = client.get(url).content.decode()

    assert content.count('class="photo-item"') == 5


@pytest.mark.django_db
def test_the_live_poll_of_the_notes_page_does_not_load_the_photos(client, session, secretary):
    running = timeline.start(session.pk, session.timeline_version)
    add(running, secretary)
    client.force_login(secretary)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(
            reverse("sessions:live", args=[running.pk]), {"view": "notes", "v": 0}, headers={"HX-Request": "true"}
        )

    assert response.status_code == 200
    assert "harvest" in response.content.decode()
    assert not [query for query in queries.captured_queries if "sessionphoto" in query["sql"]]


@pytest.mark.django_db
def test_the_report_preview_shows_the_photos_by_url_with_captions(client, harvested, secretary):
    first = add(harvested, secretary, caption="Flap ronde 1 <script>")
    second = add(harvested, secretary)
    client.force_login(secretary)

    content = client.get(reverse("sessions:report", args=[harvested.pk])).content.decode()

    assert (
        f'<img src="{reverse("sessions:photo_image", args=[harvested.pk, first.pk])}" alt="Flap ronde 1 &lt;script&gt;"'
        in content
    )
    assert "<figcaption>Flap ronde 1 &lt;script&gt;</figcaption>" in content
    assert (
        f'<img src="{reverse("sessions:photo_image", args=[harvested.pk, second.pk])}" alt="Photo of a flip-over"'
        in content
    )
    assert "data:image/jpeg" not in content


@pytest.mark.django_db
def test_the_report_preview_costs_no_more_queries_with_more_photos(
    client, harvested, secretary, django_assert_num_queries
):
    add(harvested, secretary)
    client.force_login(secretary)
    url = reverse("sessions:report", args=[harvested.pk])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(4):
        add(harvested, secretary)

    with django_assert_num_queries(len(few)):
        content = client.get(url).content.decode()

    assert content.count('class="report-photo keep"') == 5


@pytest.mark.django_db
def test_the_pdf_embeds_each_photo_downscaled_with_its_caption(client, harvested, secretary):
    client.force_login(secretary)
    post_photo(client, harvested, jpeg_bytes((2600, 1950)), caption="Flap ronde 1")
    post_photo(client, harvested, png_bytes((600, 400)), name="bord.png", caption="Mural-bord")

    response = client.get(reverse("sessions:report_pdf", args=[harvested.pk]))

    assert response.status_code == 200
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    assert sorted(embedded_images(reader).values()) == [(600, 400), (1400, 1050)]
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Flap ronde 1" in text and "Mural-bord" in text and "Photos of the flip-overs" in text


@pytest.mark.django_db
def test_the_pdf_leaves_out_a_photo_whose_file_is_lost(client, harvested, secretary):
    lost = add(harvested, secretary, caption="Kwijt")
    add(harvested, secretary, caption="Er nog")
    lost.image.storage.delete(lost.image.name)
    client.force_login(secretary)

    response = client.get(reverse("sessions:report_pdf", args=[harvested.pk]))

    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert len(embedded_images(reader)) == 1
    assert "Er nog" in text and "Kwijt" not in text
