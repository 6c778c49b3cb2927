"""Demo accounts, one per role, for trying the app locally. Never for production."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from sessies import roles

DEMO_ACCOUNTS = [
    # username, password, first name, last name, group, staff
    ("beheerder", "demo-beheerder", "Bea", "Beheer", roles.ADMINS, True),
    ("gespreksleider", "demo-gespreksleider", "Gijs", "Leider", roles.FACILITATORS, False),
    ("secretaris", "demo-secretaris", "Sanne", "Secretaris", roles.SECRETARIES, False),
    ("onderzoeker", "demo-onderzoeker", "Olga", "Onderzoeker", roles.RESEARCHERS, False),
]


class Command(BaseCommand):
    help = "Create (or reset) one demo account per role. Demo only: the passwords are public."

    def handle(self, *args, **options):
        roles.ensure_role_groups()
        User = get_user_model()
        for username, password, first, last, group_name, staff in DEMO_ACCOUNTS:
            user, _ = User.objects.get_or_create(username=username)
            user.first_name, user.last_name, user.is_staff = first, last, staff
            user.email = f"{username}@example.org"
            user.set_password(password)
            user.save()
            user.groups.set([Group.objects.get(name=group_name)])
            self.stdout.write(f"  {group_name:<16} {username:<16} {password}")
        self.stdout.write(self.style.WARNING("Demo accounts only: change or remove them on any shared server."))
