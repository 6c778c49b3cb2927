from django.core.management.base import BaseCommand

from sessies import outbox


class Command(BaseCommand):
    help = (
        "Queue report deliveries again: failed, waiting and stuck ones (as the retry button does), "
        "or with --stuck only those stuck in the queue or in a dead worker (for cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--stuck",
            action="store_true",
            help="Only reclaim stuck deliveries; deliveries that failed for good stay failed.",
        )

    def handle(self, *args, stuck=False, **options):
        if stuck:
            count = outbox.reclaim_stuck()
            self.stdout.write(f"{count} stuck deliveries queued again.")
        else:
            count = outbox.retry()
            self.stdout.write(f"{count} unsent deliveries queued again.")
