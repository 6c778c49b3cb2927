"""Where the content tests read the source documents (the seeds), which live outside the repository.

In order: $GESPREKSTAFELS_SOURCES, the `shared/seeds` folder beside the checkout, and the team
machines' /work/shared/seeds. Tests that compare with a source are skipped, saying so, when
none of these holds it.
"""

import os
from pathlib import Path

from django.conf import settings


def source_path(name):
    folders = [
        os.environ.get("GESPREKSTAFELS_SOURCES"),
        Path(settings.BASE_DIR).parent / "shared" / "seeds",
        "/work/shared/seeds",
    ]
    for folder in folders:
        if folder and (Path(folder) / name).exists():
            return Path(folder) / name
    return Path(folders[-1]) / name
