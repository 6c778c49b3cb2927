"""Load the script library's fixtures, the fixture being the whole truth for what it holds.

`loaddata` adds and updates rows but never removes one. When a source-faithful fixture drops
a step of a block, a tip or role of a method, a reading of a work form or an audience, the old
row would stay and show up among the new ones; this command removes those, in one transaction.
"""

import json
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction

from draaiboeken.models import Audience, Reading, Role, Step, Tip, ToolboxLink


class Command(BaseCommand):
    help = "Load fixtures with loaddata, removing steps, readings and audiences the fixtures no longer list."

    def add_arguments(self, parser):
        parser.add_argument("fixtures", nargs="+")

    @transaction.atomic
    def handle(self, *args, **options):
        fixtures = options["fixtures"]
        listed = {}
        for fixture in fixtures:
            for row in json.loads(Path(fixture).read_text(encoding="utf-8")):
                listed.setdefault(row["model"], set()).add(row["pk"])
        # (model, its parent field, the parent's fixture label, its own label): children a fixture lists in full.
        owned = [
            (Step, "block", "draaiboeken.block", "draaiboeken.step"),
            (Tip, "method", "draaiboeken.method", "draaiboeken.tip"),
            (Role, "method", "draaiboeken.method", "draaiboeken.role"),
            (Reading, "tool", "draaiboeken.workformtool", "draaiboeken.reading"),
            (ToolboxLink, "section", "draaiboeken.toolboxsection", "draaiboeken.toolboxlink"),
        ]
        removed = 0
        for model, parent, parent_label, label in owned:
            stale = model.objects.filter(**{f"{parent}_id__in": listed.get(parent_label, ())})
            removed += stale.exclude(pk__in=listed.get(label, ())).delete()[0]
        call_command("loaddata", *fixtures, verbosity=options["verbosity"])
        if "draaiboeken.audience" in listed:
            # Only after loading: the tools' new audience lists decide which ones are unused.
            unused = Audience.objects.filter(tools=None).exclude(pk__in=listed["draaiboeken.audience"])
            removed += unused.delete()[0]
        if removed:
            self.stdout.write(f"Removed {removed} rows that the fixtures no longer list.")
