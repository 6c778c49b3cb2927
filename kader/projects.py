"""Research projects and the people in them: creating a project, its members and contacts."""

import copy

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils.translation import gettext as _

from kader.models import LEADING_ROLES, Contact, ContactRole, Membership, ProjectRole, ResearchProject


@transaction.atomic
def create_project(*, creator, role, **fields):
    """Create a project with its creator as its first member, in the role they chose."""
    project = ResearchProject.objects.create(**fields)
    Membership.objects.create(project=project, user=creator, role=role)
    return project


def with_members(queryset=None):
    """Projects with their memberships and member accounts, fetched once: the rules and the pages read them."""
    queryset = ResearchProject.objects.all() if queryset is None else queryset
    return queryset.prefetch_related(Prefetch("memberships", queryset=Membership.objects.select_related("user")))


def member_name(user):
    return user.get_full_name() or user.username


def add_member(*, project, user, role):
    """Give `user` a role in the project; the same account may hold several roles.

    Raises ValidationError for an unknown role, an inactive account or a role they already hold.
    """
    if role not in ProjectRole.values:
        raise ValidationError({"role": _("Choose one of the listed roles.")})
    if not user.is_active:
        raise ValidationError({"user": _("This account is not active; choose an active account.")})
    membership, created = Membership.objects.get_or_create(project=project, user=user, role=role)
    if not created:
        raise ValidationError(
            {
                "user": _("%(name)s is already a member of this project as %(role)s.")
                % {"name": member_name(user), "role": ProjectRole(role).label}
            }
        )
    return membership


@transaction.atomic
def remove_member(*, membership):
    """End a membership; refuses to take the project's last researcher or facilitator away.

    Without a member in a leading role nobody but an administrator could edit the project.
    """
    # Lock the project so that two editors cannot each remove one of the last two leaders.
    ResearchProject.objects.select_for_update().filter(pk=membership.project_id).first()
    if membership.role in LEADING_ROLES:
        others = Membership.objects.filter(project_id=membership.project_id, role__in=LEADING_ROLES).exclude(
            pk=membership.pk
        )
        if not others.exists():
            raise ValidationError(
                _(
                    "%(name)s is the last researcher or facilitator of this project and cannot be removed. "
                    "Add another researcher or facilitator first."
                )
                % {"name": member_name(membership.user)}
            )
    Membership.objects.filter(pk=membership.pk).delete()


def save_contact(*, project, contact=None, name, email="", organisation="", role=ContactRole.PROFESSIONAL):
    """Add a contact to the project, or change `contact` (one of its contacts); returns the saved contact.

    Raises ValidationError for a missing name, an invalid address or role, or an address
    another contact of the project already has (compared without regard to case). `contact`
    itself is left as it was when saving is refused, so a page can still show what is stored.
    """
    if contact is not None and contact.project_id != project.pk:
        raise ValueError("the contact belongs to another project")
    candidate = copy.copy(contact) if contact is not None else Contact(project=project)
    candidate.name, candidate.email, candidate.organisation, candidate.role = (
        name.strip(),
        email.strip(),
        organisation.strip(),
        role,
    )
    if not candidate.name:
        raise ValidationError({"name": _("Give the contact's name.")})
    candidate.full_clean(exclude=["project"], validate_unique=False, validate_constraints=False)
    taken = _("Another contact of this project already has the e-mail address %(email)s.") % {"email": candidate.email}
    if candidate.email:
        same_address = Contact.objects.filter(project=project, email__iexact=candidate.email)
        if same_address.exclude(pk=candidate.pk).exists():
            raise ValidationError({"email": taken})
    try:
        with transaction.atomic():
            candidate.save()
    except IntegrityError:  # the same address saved meanwhile by someone else
        raise ValidationError({"email": taken}) from None
    return candidate


def remove_contact(*, contact):
    """Remove a contact; sessions they took part in keep the participant's own copy of name and address."""
    contact.delete()
