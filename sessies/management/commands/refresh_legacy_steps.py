from django.core.management.base import BaseCommand

from sessies.planning import refresh_legacy_steps


class Command(BaseCommand):
    help = (
        "Once, after the upgrade to ordered steps and the fixtures' reload: give blocks of sessions "
        "not yet started their script's steps in the method's order."
    )

    def handle(self, *args, **options):
        refreshed, kept = refresh_legacy_steps()
        if refreshed or kept:
            self.stdout.write(f"{refreshed} session blocks took their script's steps; {kept} kept theirs.")
