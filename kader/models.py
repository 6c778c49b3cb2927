"""The quality framework (kwaliteits- en afwegingskader) and the projects it is applied to."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

CHECKLIST_NOTE_MAX_LENGTH = 5000


class IntroSection(models.Model):
    """A section of the framework's introduction (aim, target groups), shown on its start page."""

    order = models.PositiveSmallIntegerField(_("order"), default=0)
    heading = models.CharField(_("heading"), max_length=200)
    body = models.TextField(_("text"))

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("introduction section")
        verbose_name_plural = _("introduction sections")

    def __str__(self):
        return self.heading


class Phase(models.Model):
    number = models.PositiveSmallIntegerField(
        _("number"), unique=True, validators=[MinValueValidator(1), MaxValueValidator(3)]
    )
    name = models.CharField(_("name"), max_length=200)
    introduction = models.TextField(_("introduction"), blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("phase")
        verbose_name_plural = _("phases")

    def __str__(self):
        return _("Phase %(number)s: %(name)s") % {"number": self.number, "name": self.name}

    def get_absolute_url(self):
        return reverse("framework:phase", args=[self.number])


class AttentionPoint(models.Model):
    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="attention_points", verbose_name=_("phase"))
    number = models.PositiveSmallIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(
        _("summary"), blank=True, help_text=_("The text under the title in the schematic overview.")
    )

    class Meta:
        ordering = ["phase__number", "number"]
        constraints = [models.UniqueConstraint(fields=["phase", "number"], name="unique_point_per_phase")]
        verbose_name = _("attention point")
        verbose_name_plural = _("attention points")

    def __str__(self):
        return f"{self.code} {self.title}"

    @property
    def code(self):
        """The point's label as the framework numbers it, e.g. "2.3"."""
        return f"{self.phase.number}.{self.number}"


class ExplanationSection(models.Model):
    """A part of an attention point's explanation in the background document."""

    attention_point = models.ForeignKey(
        AttentionPoint,
        on_delete=models.CASCADE,
        related_name="sections",
        verbose_name=_("attention point"),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    heading = models.CharField(_("heading"), max_length=300, blank=True)
    body = models.TextField(_("text"))

    class Meta:
        ordering = ["attention_point", "order", "pk"]
        verbose_name = _("explanation section")
        verbose_name_plural = _("explanation sections")

    def __str__(self):
        return self.heading or self.body[:60]


class ProjectRole(models.TextChoices):
    """A user's part in a research project (seed 000 roles; seed 002: the researcher as procesregisseur)."""

    RESEARCHER = "onderzoeker", _("researcher (process director)")
    FACILITATOR = "gespreksleider", _("facilitator")
    SECRETARY = "secretaris", _("secretary")


# Members in these roles run the project: edit it, its members and its contacts.
LEADING_ROLES = (ProjectRole.RESEARCHER, ProjectRole.FACILITATOR)


class ResearchProjectQuerySet(models.QuerySet):
    def visible_to(self, user):
        if user.is_superuser or user.has_perm("kader.view_all_projects"):
            return self
        return self.filter(pk__in=Membership.objects.filter(user=user).values("project"))

    def with_member(self, user, roles=None):
        """The projects `user` belongs to (in one of `roles`, when given), whatever else they may see."""
        memberships = Membership.objects.filter(user=user)
        if roles is not None:
            memberships = memberships.filter(role__in=roles)
        return self.filter(pk__in=memberships.values("project"))


class ResearchProject(models.Model):
    title = models.CharField(_("title"), max_length=300)
    organisation = models.CharField(_("organisation"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Membership",
        related_name="research_projects",
        verbose_name=_("members"),
    )
    current_phase = models.ForeignKey(
        Phase, on_delete=models.PROTECT, related_name="+", verbose_name=_("current phase")
    )
    ended_on = models.DateField(
        _("ended on"),
        null=True,
        blank=True,
        help_text=_("When the research ended. Contacts' e-mail addresses are removed a while after this date."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ResearchProjectQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "pk"]
        permissions = [("view_all_projects", _("Can see every research project"))]
        verbose_name = _("research project")
        verbose_name_plural = _("research projects")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("projects:detail", args=[self.pk])

    def users_in_role(self, role):
        """The member accounts with `role`, e.g. the researchers a report goes to."""
        return get_user_model().objects.filter(project_memberships__project=self, project_memberships__role=role)

    def roles_of(self, user):
        """The user's project roles (from a prefetch of `memberships` when there is one)."""
        return {membership.role for membership in self.memberships.all() if membership.user_id == user.pk}

    def is_member(self, user):
        return bool(self.roles_of(user))

    def is_researcher(self, user):
        return ProjectRole.RESEARCHER in self.roles_of(user)

    def can_view(self, user):
        return user.has_perm("kader.view_all_projects") or self.is_member(user)

    def can_edit(self, user):
        """Edit the project, its members and contacts: its researchers and facilitators."""
        return user.has_perm("kader.change_researchproject") and (
            user.has_perm("kader.view_all_projects") or bool(self.roles_of(user) & set(LEADING_ROLES))
        )

    def can_edit_checklist(self, user):
        """The checklist is the researchers' instrument (the procesregisseur checks the project)."""
        return user.has_perm("kader.change_checklistentry") and (
            user.has_perm("kader.view_all_projects") or self.is_researcher(user)
        )


class Membership(models.Model):
    """A user's role in a project. Someone may hold two roles (a researcher who also facilitates)."""

    project = models.ForeignKey(
        ResearchProject, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("project")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="project_memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(_("project role"), max_length=20, choices=ProjectRole)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["project", "role", "user__first_name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["project", "user", "role"], name="one_membership_per_role"),
        ]
        verbose_name = _("project member")
        verbose_name_plural = _("project members")

    def __str__(self):
        return f"{self.user} ({self.get_role_display()})"


class ContactRole(models.TextChoices):
    """People a project involves who have no account (seed 000 roles)."""

    PROFESSIONAL = "professional", _("professional")
    POLICY = "beleid", _("policy and management")
    CLIENT = "client", _("clients' representative")
    OTHER = "anders", _("other")


class Contact(models.Model):
    """Someone the project involves without an account: personal data, see sessies.personal_data."""

    project = models.ForeignKey(
        ResearchProject, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("project")
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"), blank=True)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=ContactRole, default=ContactRole.PROFESSIONAL)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["project", "role", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "email"], condition=~models.Q(email=""), name="one_contact_per_address"
            ),
        ]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self):
        return self.name


class ChecklistStatus(models.TextChoices):
    OPEN = "open", _("open")
    DISCUSSING = "in_gesprek", _("under discussion")
    SECURED = "geborgd", _("secured")
    NOT_APPLICABLE = "nvt", _("not applicable")


class StaleChecklistEntry(Exception):
    """The entry was changed by someone else since the editor loaded it."""

    def __init__(self, current):
        super().__init__("checklist entry changed meanwhile")
        self.current = current


class ChecklistEntry(models.Model):
    """Where a project stands on one attention point. Absent rows mean "open"."""

    project = models.ForeignKey(
        ResearchProject,
        on_delete=models.CASCADE,
        related_name="checklist_entries",
        verbose_name=_("project"),
    )
    attention_point = models.ForeignKey(
        AttentionPoint,
        on_delete=models.CASCADE,
        related_name="checklist_entries",
        verbose_name=_("attention point"),
    )
    status = models.CharField(_("status"), max_length=20, choices=ChecklistStatus, default=ChecklistStatus.OPEN)
    note = models.TextField(_("note"), blank=True, validators=[MaxLengthValidator(CHECKLIST_NOTE_MAX_LENGTH)])
    version = models.PositiveIntegerField(_("version"), default=0)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), null=True, blank=True)

    class Meta:
        ordering = ["attention_point__phase__number", "attention_point__number"]
        constraints = [models.UniqueConstraint(fields=["project", "attention_point"], name="unique_entry_per_point")]
        verbose_name = _("checklist entry")
        verbose_name_plural = _("checklist entries")

    def __str__(self):
        return f"{self.project} – {self.attention_point.code}"

    @property
    def changed_by_name(self):
        """Who saved it last, for display; empty when nobody did or the account is gone."""
        user = self.changed_by
        return (user.get_full_name() or user.username) if user else ""

    def mark(self, status, note, *, by, expected_version):
        """Save a new status and note, refusing when someone else saved in between.

        Raises StaleChecklistEntry with the current row when `expected_version` is behind,
        and ValidationError for a status outside the list or a note that is too long.
        """
        if status not in ChecklistStatus.values:
            raise ValidationError({"status": _("Choose one of the listed statuses.")})
        if len(note) > CHECKLIST_NOTE_MAX_LENGTH:
            raise ValidationError(
                {"note": _("A note can be at most %(max)s characters.") % {"max": CHECKLIST_NOTE_MAX_LENGTH}}
            )
        with transaction.atomic():
            entry, _created = ChecklistEntry.objects.select_for_update().get_or_create(
                project_id=self.project_id, attention_point_id=self.attention_point_id
            )
            if entry.version != expected_version:
                raise StaleChecklistEntry(entry)
            updated = ChecklistEntry.objects.filter(pk=entry.pk, version=expected_version).update(
                status=status,
                note=note,
                changed_by=by,
                changed_at=timezone.now(),
                version=F("version") + 1,
            )
            if not updated:
                raise StaleChecklistEntry(ChecklistEntry.objects.get(pk=entry.pk))
        entry.refresh_from_db()
        return entry
