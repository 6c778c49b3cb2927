from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from sessies.personal_data import forget_addresses


class Command(BaseCommand):
    help = (
        "Remove the e-mail addresses of the contacts, participants and report deliveries of research "
        "projects that ended more than CONTACT_RETENTION_DAYS days ago. Safe to run daily: a second run "
        "changes nothing. Prints counts only."
    )

    def handle(self, *args, **options):
        days = settings.CONTACT_RETENTION_DAYS
        # "More than N days ago": a project that ended exactly N days ago keeps its addresses one day more.
        ended_before = timezone.localdate() - timedelta(days=days)
        counts = forget_addresses(ended_before=ended_before)
        self.stdout.write(
            f"Projects ended before {ended_before.isoformat()} ({days} days): {counts['projects']}. "
            f"Addresses removed: {counts['contacts']} contacts, {counts['participants']} participants, "
            f"{counts['deliveries']} deliveries; unsent deliveries removed: {counts['unsent_deliveries']}."
        )
