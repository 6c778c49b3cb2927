"""Size and render time of a report PDF with photos of the flip-overs, one run.

Usage (after `make install`):

    .venv/bin/python bench/report_photos_bench.py [--photos 10] [--width 4000] [--height 3000] [--noise 0.35] [--pdf report.pdf]

It builds a database and a media folder in a temporary directory, plans a Gesprekstafel 1,
runs and finishes it with a few notes, and adds the photos through sessies.photos.add_photo
(as an upload does): each a JPEG of width×height pixels at quality 92, like a phone's, made of
coloured shapes and lines under random noise, so JPEG cannot compress it away. It prints the
upload and stored sizes, the time to clean one photo, and the PDF's size, pages and render time
(the first render, then a second one in the same process). Nothing leaves the machine; the
temporary directory is removed at the end.
"""

import argparse
import io
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ["fixtures/kader.json", "fixtures/draaiboeken.json"]


def phone_photo(width, height, noise, seed):
    """A JPEG like a phone's photo of a flip-over: paper, post-its, handwriting-like strokes, sensor noise."""
    from PIL import Image, ImageDraw

    rng = random.Random(seed)
    image = Image.new("RGB", (width, height), (236, 232, 224))
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x, y = rng.randrange(width), rng.randrange(height)
        size = rng.randrange(width // 20, width // 6)
        colour = rng.choice([(250, 220, 80), (255, 150, 180), (140, 200, 250), (160, 230, 150)])
        draw.rectangle((x, y, x + size, y + size), fill=colour)
    for _ in range(400):
        x, y = rng.randrange(width), rng.randrange(height)
        points = [(x + rng.randrange(-60, 60) * i // 4, y + rng.randrange(-20, 20)) for i in range(8)]
        draw.line(points, fill=rng.choice([(20, 20, 20), (20, 40, 160), (170, 20, 20)]), width=rng.randrange(3, 9))
    grain = Image.merge("RGB", [Image.effect_noise((width, height), 64) for _ in range(3)])
    image = Image.blend(image, grain, noise)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--photos", type=int, default=10)
    parser.add_argument("--width", type=int, default=4000)
    parser.add_argument("--height", type=int, default=3000)
    parser.add_argument("--noise", type=float, default=0.35, help="share of random noise blended in (0-1)")
    parser.add_argument("--pdf", type=Path, help="also write the PDF here, to look at")
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="report-photos-bench-"))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="gesprekstafels.settings",
        DATABASE_URL=f"sqlite:///{workdir / 'db.sqlite3'}",
        DJANGO_MEDIA_ROOT=str(workdir / "media"),
    )
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth.models import Group, User
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.utils import timezone

    from draaiboeken.models import Script
    from kader.models import Phase, ResearchProject
    from sessies import harvest, photos, reports, roles, timeline
    from sessies.planning import create_session

    call_command("migrate", verbosity=0)
    call_command("loaddata", *FIXTURES, verbosity=0)
    roles.ensure_role_groups()
    user = User.objects.create_user("bench-secretary", password="x")
    user.groups.add(Group.objects.get(name=roles.SECRETARIES))
    project = ResearchProject.objects.create(title="Bench", current_phase=Phase.objects.get(number=1))
    session = create_session(
        script=Script.objects.get(slug="gesprekstafel-1-start"),
        project=project,
        title="Bench: verslag met foto's",
        starts_at=timezone.now(),
        facilitator=user,
        secretary=user,
    )
    session = timeline.start(session.pk, session.timeline_version)
    for block in session.blocks.all()[:4]:
        harvest.add_note(session, block_id=block.pk, text=f"Opbrengst bij {block.title}", tag="opbrengst", author=user)
    session.refresh_from_db()
    timeline.finish(session.pk, session.timeline_version)
    session.refresh_from_db()

    uploads, stored, cleaning = [], [], []
    for index in range(args.photos):
        data = phone_photo(args.width, args.height, args.noise, seed=index)
        uploads.append(len(data))
        started = time.perf_counter()
        photo = photos.add_photo(
            session=session,
            file=SimpleUploadedFile(f"IMG_{index:04}.jpg", data, content_type="image/jpeg"),
            caption=f"Flap {index + 1}",
            by=user,
        )
        cleaning.append(time.perf_counter() - started)
        stored.append(photo.image.size)

    renders = []
    for _ in range(2):
        started = time.perf_counter()
        pdf = reports.render_report_pdf(session)
        renders.append(time.perf_counter() - started)
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    if args.pdf:
        args.pdf.write_bytes(pdf)
    embedded = {image.name for page in reader.pages for image in page.images}

    mb = 1024 * 1024
    print(f"photos:            {args.photos} of {args.width}×{args.height} px, noise {args.noise}")
    print(f"upload (JPEG q92): {statistics.mean(uploads) / mb:.2f} MB each on average")
    print(f"stored (≤2000 px): {statistics.mean(stored) / mb:.2f} MB each on average")
    print(
        f"cleaning a photo:  {statistics.mean(cleaning):.2f} s on average (check, decode, turn, scale, encode, store)"
    )
    print(f"PDF:               {len(pdf) / mb:.2f} MB, {len(reader.pages)} pages, {len(embedded)} images embedded")
    print(f"render time:       {renders[0]:.2f} s first, {renders[1]:.2f} s second")
    shutil.rmtree(workdir)


if __name__ == "__main__":
    main()
