from django.core.management.base import BaseCommand

from sessies.reports import retry_failed


class Command(BaseCommand):
    help = "Send every failed report delivery again."

    def handle(self, *args, **options):
        count = retry_failed()
        self.stdout.write(f"{count} failed deliveries queued again.")
