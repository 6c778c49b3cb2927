"""The four role groups and the model permissions each one carries.

Object rules (which project, which session) sit on the models; these groups decide which
kinds of change a user may make at all. The groups are kept in step after every migrate.
"""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

FACILITATORS = "Gespreksleiders"
SECRETARIES = "Secretarissen"
RESEARCHERS = "Onderzoekers"
ADMINS = "Beheerders"

READ_LIBRARY = [
    "kader.view_phase",
    "kader.view_attentionpoint",
    "kader.view_explanationsection",
    "kader.view_introsection",
    "draaiboeken.view_method",
    "draaiboeken.view_script",
    "draaiboeken.view_block",
    "draaiboeken.view_step",
    "draaiboeken.view_reading",
    "draaiboeken.view_toolboxsection",
    "draaiboeken.view_toolboxlink",
    "draaiboeken.view_tip",
    "draaiboeken.view_role",
    "draaiboeken.view_workformtool",
]

# Facilitator and secretary both keep the harvest: either may take notes and agreements.
HARVEST_WRITE = [
    "sessies.add_note",
    "sessies.change_note",
    "sessies.delete_note",
    "sessies.add_agreement",
    "sessies.change_agreement",
    "sessies.delete_agreement",
]

# Researchers and facilitators create projects and keep their members and contacts (the
# project's own rules then say which projects: ResearchProject.can_edit).
PROJECT_WRITE = [
    "kader.view_researchproject",
    "kader.add_researchproject",
    "kader.change_researchproject",
    "kader.view_membership",
    "kader.add_membership",
    "kader.change_membership",
    "kader.delete_membership",
    "kader.view_contact",
    "kader.add_contact",
    "kader.change_contact",
    "kader.delete_contact",
]

ROLE_PERMISSIONS = {
    RESEARCHERS: READ_LIBRARY
    + [
        "kader.view_checklistentry",
        "kader.change_checklistentry",
        "sessies.view_session",
        "sessies.add_session",
    ]
    + PROJECT_WRITE,
    FACILITATORS: READ_LIBRARY
    + HARVEST_WRITE
    + PROJECT_WRITE
    + [
        "sessies.view_session",
        "sessies.add_session",
        "sessies.change_session",
        "sessies.run_session",
        "sessies.send_report",
    ],
    SECRETARIES: READ_LIBRARY
    + HARVEST_WRITE
    + [
        "sessies.view_session",
        "sessies.change_report",
        "sessies.send_report",
    ],
}

ADMIN_APPS = ["kader", "draaiboeken", "sessies"]


def permissions_for(codenames):
    query = Q(pk__in=[])
    for dotted in codenames:
        app_label, codename = dotted.split(".")
        query |= Q(content_type__app_label=app_label, codename=codename)
    return Permission.objects.filter(query)


def ensure_role_groups(**kwargs):
    """Create the role groups and set their permissions (idempotent)."""
    for name, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(permissions_for(codenames))
    admins, _ = Group.objects.get_or_create(name=ADMINS)
    admins.permissions.set(
        Permission.objects.filter(content_type__app_label__in=ADMIN_APPS)
        | permissions_for(["auth.view_user", "auth.view_group"])
    )
