"""What happens: sessions run from a script, their harvest notes, agreements and reports."""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from draaiboeken.models import (
    MAX_BLOCK_MINUTES,
    Block,
    Script,
    StepFields,
    WorkForm,
    WorkFormTool,
    outline,
)
from kader.models import AttentionPoint, Contact, ResearchProject
from sessies import push

NOTE_MAX_LENGTH = 10_000
# Sessions are planned within this range of years: every page can compute their times, and
# a typo such as year 1 or 9999 is refused with a message instead of stored.
SESSION_YEARS = (2000, 2099)
# Rows stored before those bounds may sit at the calendar's edge; see Session.from_db.
LOADABLE_MOMENTS = (
    datetime.min.replace(tzinfo=UTC) + timedelta(days=31),
    datetime.max.replace(tzinfo=UTC) - timedelta(days=31),
)


def validate_session_moment(value):
    first, last = SESSION_YEARS
    if not first <= value.year <= last:
        raise ValidationError(
            _("Choose a date between %(first)s and %(last)s.") % {"first": first, "last": last}, code="out_of_range"
        )


class SessionState(models.TextChoices):
    PLANNED = "gepland", _("planned")
    RUNNING = "bezig", _("running")
    PAUSED = "gepauzeerd", _("paused")
    FINISHED = "afgerond", _("finished")


class SessionQuerySet(models.QuerySet):
    def visible_to(self, user):
        if user.is_superuser or user.has_perm("sessies.view_all_sessions"):
            return self
        return self.filter(
            models.Q(facilitator=user)
            | models.Q(secretary=user)
            | models.Q(project__in=ResearchProject.objects.with_member(user))
        )

    def listed_for(self, user):
        """The sessions `user` may see, with what every list row shows (project, people, failed mail)."""
        failed = Delivery.objects.filter(report__session=models.OuterRef("pk"), status=DeliveryStatus.FAILED)
        return (
            self.visible_to(user)
            .select_related("project", "facilitator", "secretary", "report")
            .annotate(has_failed_delivery=models.Exists(failed))
        )

    def bump(self, pk, *, timeline=False, change=None):
        """The one way to bump a session's version: in the database, inside the change's transaction.

        Pollers compare against `version`; timeline moves (timeline=True) also bump `timeline_version`.
        The live screens are told what changed (`sessies.push`; everything unless `change` says less)
        when the transaction commits. Returns the new version.
        """
        changes = {"version": F("version") + 1}
        if timeline:
            changes["timeline_version"] = F("timeline_version") + 1
        self.filter(pk=pk).update(**changes)
        version = self.filter(pk=pk).values_list("version", flat=True).first()
        if version is not None:
            change = change or (push.TIMELINE if timeline else push.FULL)
            push.announce(push.Event(pk, version, change), using=self.db)
        return version


class Session(models.Model):
    project = models.ForeignKey(
        ResearchProject, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("research project")
    )
    # The session keeps its own copy of the script; the link is only for reference.
    script = models.ForeignKey(
        Script, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("script")
    )
    script_title = models.CharField(_("script"), max_length=300)
    # Copied from the script when planned, like its blocks.
    times_are_suggestions = models.BooleanField(_("times are the app's suggestion"), default=False)
    shortening_advice = models.TextField(_("advice when time is short"), blank=True)
    phase_number = models.PositiveSmallIntegerField(_("phase"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=300)
    starts_at = models.DateTimeField(_("date and time"), validators=[validate_session_moment])
    place = models.CharField(_("place"), max_length=300, blank=True)
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="facilitated_sessions",
        verbose_name=_("facilitator"),
    )
    secretary = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="recorded_sessions",
        verbose_name=_("secretary"),
    )
    state = models.CharField(_("state"), max_length=20, choices=SessionState, default=SessionState.PLANNED)
    # Bumped in the same transaction as every change; pollers compare against it.
    version = models.PositiveIntegerField(_("version"), default=1)
    # Bumped only by timeline moves. Transitions check this one, so a note typed by the
    # secretary a second before the facilitator clicks "next" does not refuse the click.
    timeline_version = models.PositiveIntegerField(_("timeline version"), default=1)
    current_block = models.ForeignKey(
        "SessionBlock",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current block"),
    )
    # The step of the current block the room is on (a top-level step; sessies.timeline), which the
    # projector shows and the secretary's question follows. None: the block as a whole.
    current_step = models.ForeignKey(
        "SessionStep",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("current step"),
    )
    # The room's screen: blank (as the B key in presentation software), and whether it shows the
    # block's remaining time (the facilitator's choice).
    screen_blank = models.BooleanField(_("room's screen blank"), default=False)
    screen_shows_time = models.BooleanField(_("room's screen shows the remaining time"), default=False)
    # When the current block's running stretch began; None while paused or not running.
    block_started_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    planned_end_at = models.DateTimeField(_("planned end"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "pk"]
        permissions = [
            ("run_session", _("Can drive a session's timeline")),
            ("view_all_sessions", _("Can see every session")),
            ("send_report", _("Can send a session's report")),
        ]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("sessions:detail", args=[self.pk])

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        """Load a row; a moment at the very edge of the calendar is moved a month inside it.

        A session stored before SESSION_YEARS was enforced may start in year 1 or 9999, where
        turning it into local time or adding its minutes overflows, and every page listing it
        would fail for everyone who sees it. Loaded just inside the edge it renders, and the
        admin can correct it (saving asks for a date within SESSION_YEARS).
        """
        session = super().from_db(db, field_names, values, **kwargs)
        earliest, latest = LOADABLE_MOMENTS
        for name in ("starts_at", "block_started_at", "started_at", "planned_end_at", "finished_at"):
            value = session.__dict__.get(name)
            if value is not None and not earliest <= value <= latest:
                session.__dict__[name] = min(max(value, earliest), latest)
        return session

    def bump_version(self, *, timeline=False, change=None):
        """Bump the version in the database (inside the change's transaction) and read it back."""
        Session.objects.bump(self.pk, timeline=timeline, change=change)
        self.refresh_from_db(fields=["version", "timeline_version"])

    # What the state allows. Pages and rules ask these, never the stored (Dutch) value.
    @property
    def is_planned(self):
        return self.state == SessionState.PLANNED

    @property
    def is_running(self):
        return self.state == SessionState.RUNNING

    @property
    def is_paused(self):
        return self.state == SessionState.PAUSED

    @property
    def is_live(self):
        """Started and not finished: running or paused."""
        return self.state in (SessionState.RUNNING, SessionState.PAUSED)

    @property
    def is_finished(self):
        return self.state == SessionState.FINISHED

    @property
    def can_adjust_blocks(self):
        """Minutes, order and skipping are set before the start only (timeline.adjust_blocks)."""
        return self.is_planned

    def current_block_in(self, blocks):
        """The current block among `blocks` already loaded, or None (no query)."""
        return next((block for block in blocks if block.pk == self.current_block_id), None)

    @property
    def planned_minutes(self):
        return sum(block.minutes for block in self.blocks.all() if not block.skipped)

    # Who may do what with this session: the one place for these rules.
    def can_view(self, user):
        return (
            user.has_perm("sessies.view_all_sessions")
            or user.pk in (self.facilitator_id, self.secretary_id)
            or self.project.is_member(user)
        )

    def can_run(self, user):
        return user.has_perm("sessies.view_all_sessions") or (
            user.pk == self.facilitator_id and user.has_perm("sessies.run_session")
        )

    def can_write_notes(self, user):
        return user.has_perm("sessies.view_all_sessions") or user.pk in (self.facilitator_id, self.secretary_id)

    def can_edit_report(self, user):
        return self.can_write_notes(user)

    def can_send_report(self, user):
        return self.can_edit_report(user) and (
            user.has_perm("sessies.send_report") or user.has_perm("sessies.view_all_sessions")
        )


class SessionBlock(models.Model):
    """A session's copy of a script block, with its planned and spent time."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="blocks")
    source_block = models.ForeignKey(Block, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=300)
    subtitle = models.CharField(_("subtitle"), max_length=300, blank=True)
    original_minutes = models.PositiveSmallIntegerField(_("script minutes"))
    minutes = models.PositiveSmallIntegerField(
        _("minutes"), validators=[MinValueValidator(1), MaxValueValidator(MAX_BLOCK_MINUTES)]
    )
    min_minutes = models.PositiveSmallIntegerField(_("minimum minutes"))
    work_form = models.CharField(_("work form"), max_length=20, choices=WorkForm, default=WorkForm.PLENARY)
    suggested_approach = models.TextField(_("suggested approach"), blank=True)
    is_protected = models.BooleanField(_("protected"), default=False)
    is_optional = models.BooleanField(_("optional"), default=False)
    skipped = models.BooleanField(_("skipped"), default=False)
    work_forms = models.ManyToManyField(WorkFormTool, blank=True, related_name="+", verbose_name=_("work forms"))
    spent_seconds = models.PositiveIntegerField(_("time spent"), default=0)
    first_started_at = models.DateTimeField(null=True, blank=True)
    last_left_at = models.DateTimeField(null=True, blank=True)
    # Set by the upgrade to ordered steps for blocks of sessions not yet started: their steps
    # are copied once more from the script (see planning.refresh_legacy_steps).
    legacy_steps = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["session", "order", "pk"]
        verbose_name = _("session block")
        verbose_name_plural = _("session blocks")

    def __str__(self):
        return self.title

    @property
    def planned_seconds(self):
        return self.minutes * 60

    @property
    def outline(self):
        """Its steps in the method's order (from the prefetch when there is one)."""
        return outline(self.steps.all())


class SessionStep(StepFields):
    """A session's copy of a script step. Notes are filed under its questions."""

    block = models.ForeignKey(SessionBlock, on_delete=models.CASCADE, related_name="steps")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children")

    class Meta:
        ordering = ["block", "order", "pk"]
        verbose_name = _("session step")
        verbose_name_plural = _("session steps")


class ParticipantRole(models.TextChoices):
    RESEARCHER = "onderzoeker", _("researcher")
    PROFESSIONAL = "professional", _("professional")
    CLIENT = "client", _("client (representative)")
    POLICY = "beleid", _("policy and management")
    OTHER = "anders", _("other")


class Participant(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="participants")
    # The project's contact this participant was picked from (or added as), so the next session offers them.
    contact = models.ForeignKey(
        Contact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="participations",
        verbose_name=_("project contact"),
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"), blank=True)
    role = models.CharField(_("role"), max_length=20, choices=ParticipantRole, default=ParticipantRole.PROFESSIONAL)
    organisation = models.CharField(_("organisation"), max_length=200, blank=True)

    class Meta:
        ordering = ["session", "role", "name", "pk"]
        verbose_name = _("participant")
        verbose_name_plural = _("participants")

    def __str__(self):
        return self.name


class TimeAdjustment(models.Model):
    """A recorded change to the session's timing, shown in the report's time appendix."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="adjustments")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    description = models.TextField(_("description"))

    class Meta:
        ordering = ["session", "created_at", "pk"]
        verbose_name = _("time adjustment")
        verbose_name_plural = _("time adjustments")

    def __str__(self):
        return self.description


class NoteTag(models.TextChoices):
    HARVEST = "opbrengst", _("harvest")
    ATTENTION = "aandachtspunt", _("point of attention")
    AGREEMENT = "afspraak", _("agreement")
    QUOTE = "citaat", _("quote")
    OTHER = "overig", _("other")


class NoteQuerySet(models.QuerySet):
    def alive(self):
        return self.filter(deleted_at__isnull=True)


class Note(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="notes")
    block = models.ForeignKey(SessionBlock, on_delete=models.CASCADE, related_name="notes", verbose_name=_("block"))
    question = models.ForeignKey(
        SessionStep,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notes",
        verbose_name=_("question"),
    )
    text = models.TextField(_("text"), validators=[MaxLengthValidator(NOTE_MAX_LENGTH)])
    tag = models.CharField(_("tag"), max_length=20, choices=NoteTag, default=NoteTag.HARVEST)
    is_key = models.BooleanField(_("key harvest"), default=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)
    # Soft delete so a deletion can be undone.
    deleted_at = models.DateTimeField(null=True, blank=True)
    in_report = models.BooleanField(_("in report"), default=True)
    report_order = models.PositiveIntegerField(_("order in report"), default=0)
    # A note may name the framework's attention point it bears on, besides its question's links.
    attention_point = models.ForeignKey(
        AttentionPoint,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notes",
        verbose_name=_("attention point"),
    )
    # Set by the browser per typed note; a retry with the same token is the same note.
    client_token = models.CharField(max_length=64, blank=True)
    # Accepted from participants' proposals (sessies.participation): who sent it, as they named
    # themselves (a first name or a subgroup, or blank), and whether the room's screen shows it.
    from_participants = models.BooleanField(_("from participants"), default=False)
    contributor = models.CharField(_("sent by"), max_length=200, blank=True)
    on_projector = models.BooleanField(_("shown on the projector"), default=False)

    objects = NoteQuerySet.as_manager()

    class Meta:
        ordering = ["session", "block__order", "report_order", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "client_token"],
                condition=~models.Q(client_token=""),
                name="note_client_token_unique_per_session",
            )
        ]
        verbose_name = _("note")
        verbose_name_plural = _("notes")

    def __str__(self):
        return self.text[:80]


class Agreement(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="agreements")
    block = models.ForeignKey(
        SessionBlock,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agreements",
        verbose_name=_("block"),
    )
    who = models.CharField(_("who"), max_length=200)
    what = models.TextField(_("what"), validators=[MaxLengthValidator(2000)])
    when = models.CharField(_("when"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session", "created_at", "pk"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")

    def __str__(self):
        return f"{self.who}: {self.what[:60]}"


class ReportQuerySet(models.QuerySet):
    def withdraw_approval(self):
        """Any change to a report's content withdraws its approval; the approved versions stay."""
        self.filter(approved_at__isnull=False).update(approved_at=None, approved_by=None)


class Report(models.Model):
    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="report")
    summary = models.TextField(_("summary"), blank=True, validators=[MaxLengthValidator(5000)])
    closing_remark = models.TextField(_("closing remark"), blank=True, validators=[MaxLengthValidator(5000)])
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    pdf = models.BinaryField(_("approved PDF"), null=True, blank=True, editable=False)
    pdf_sha256 = models.CharField(_("PDF hash"), max_length=64, blank=True)
    first_sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    # The planned and actual times are for the researchers, not for every reader: off by default.
    include_times = models.BooleanField(_("include the times appendix"), default=False)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")

    def __str__(self):
        return str(self.session)

    @property
    def is_approved(self):
        return self.approved_at is not None

    def delivery_list(self):
        """Its deliveries; none for a report not stored yet (reading a page never creates one)."""
        return list(self.deliveries.all()) if self.pk else []


class ReportVersion(models.Model):
    """An approved report as it was: the exact PDF bytes recipients got. Never changed once stored."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="versions", verbose_name=_("report"))
    number = models.PositiveIntegerField(_("version"))
    pdf = models.BinaryField(_("PDF"), editable=False)
    sha256 = models.CharField(_("PDF hash"), max_length=64)
    approved_at = models.DateTimeField(_("approved at"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The review before this approval (sessies.review): counts only, {} when there was none.
    review = models.JSONField(_("review"), default=dict, blank=True)

    class Meta:
        ordering = ["report", "number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="one_number_per_report_version")]
        verbose_name = _("report version")
        verbose_name_plural = _("report versions")

    def __str__(self):
        return f"{self.report} v{self.number}"


class DeliveryStatus(models.TextChoices):
    PENDING = "wachtrij", _("queued")
    SENDING = "bezig", _("sending")
    SENT = "verzonden", _("sent")
    FAILED = "mislukt", _("failed")


class Delivery(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="deliveries")
    name = models.CharField(_("name"), max_length=200, blank=True)
    # Blank only after the person's data was erased (sessies.personal_data).
    email = models.EmailField(_("e-mail address"), blank=True)
    # Took part in the session (thanked in the mail) or receives the report for information.
    took_part = models.BooleanField(_("took part"), default=False)
    subject = models.CharField(_("subject"), max_length=300, default="")
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=DeliveryStatus, default=DeliveryStatus.PENDING)
    # The hash of the PDF this delivery carried, to show exactly what was sent.
    pdf_sha256 = models.CharField(_("PDF hash"), max_length=64, blank=True)
    # RESTRICT: a version cannot be deleted under its deliveries, yet a whole session still can.
    version = models.ForeignKey(
        ReportVersion,
        on_delete=models.RESTRICT,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("version sent"),
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    # When a worker claimed it for sending; a claim older than the send timeout is reclaimed.
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    # Not retried before this moment (backoff after a failure).
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["report", "created_at", "pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")

    def __str__(self):
        return f"{self.email} ({self.get_status_display()})"

    @property
    def is_failed(self):
        return self.status == DeliveryStatus.FAILED

    @property
    def is_sent(self):
        return self.status == DeliveryStatus.SENT

    @property
    def is_sending(self):
        return self.status == DeliveryStatus.SENDING

    @property
    def awaits_retry(self):
        """Queued again after a failed attempt (see sessies.outbox)."""
        return self.status == DeliveryStatus.PENDING and self.attempts > 0


class Erasure(models.Model):
    """That a person's data was erased, when and by whom: never what was erased (AVG)."""

    erased_at = models.DateTimeField(_("erased at"), default=timezone.now)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("erased by")
    )
    counts = models.JSONField(_("rows changed"), default=dict, help_text=_("How many rows of each kind were changed."))

    class Meta:
        ordering = ["-erased_at", "pk"]
        permissions = [("manage_personal_data", _("Can export and erase a person's data"))]
        verbose_name = _("erasure of personal data")
        verbose_name_plural = _("erasures of personal data")

    def __str__(self):
        return f"{self.erased_at:%Y-%m-%d %H:%M}"


class SessionPhoto(models.Model):
    """A photo of a flip-over or a Mural board, the basis of the report (seed 000).

    Stored through Django's storage API as a re-encoded JPEG without EXIF (see sessies.photos).
    """

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="photos", verbose_name=_("session"))
    image = models.FileField(_("photo"), upload_to="sessies/fotos/%Y/%m/", max_length=300)
    caption = models.CharField(_("caption"), max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    width = models.PositiveIntegerField(_("width"), default=0)
    height = models.PositiveIntegerField(_("height"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session", "order", "pk"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self):
        return self.caption or self.image.name


class JoinLink(models.Model):
    """The link (and QR code) by which participants' phones join a session, without an account.

    At most one is open per session; renewing closes it and opens another. Closed links stay so
    their holders get a clear page instead of a "not found".
    """

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="join_links")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["session", "-created_at", "-pk"]
        verbose_name = _("participants' link")
        verbose_name_plural = _("participants' links")

    def __str__(self):
        return f"{self.session} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def is_open(self):
        return self.closed_at is None


class ParticipantDevice(models.Model):
    """A phone that joined through a link: a random key in a signed cookie, nothing about its owner."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="devices")
    key = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Blocked by the secretary: its proposals are refused and no longer listed.
    blocked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["session", "created_at", "pk"]
        verbose_name = _("participant's device")
        verbose_name_plural = _("participants' devices")

    def __str__(self):
        return self.key[:8]


class ProposalStatus(models.TextChoices):
    NEW = "nieuw", _("new")
    ACCEPTED = "overgenomen", _("accepted")
    DISMISSED = "afgewezen", _("dismissed")


class Proposal(models.Model):
    """An answer a participant or subgroup sent from a phone; the secretary accepts, merges or dismisses it."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="proposals")
    device = models.ForeignKey(ParticipantDevice, on_delete=models.CASCADE, related_name="proposals")
    block = models.ForeignKey(SessionBlock, on_delete=models.CASCADE, related_name="proposals")
    question = models.ForeignKey(
        SessionStep, on_delete=models.SET_NULL, null=True, blank=True, related_name="proposals"
    )
    text = models.TextField(_("text"))
    # An optional first name or subgroup name, kept with this proposal only.
    sender = models.CharField(_("sent by"), max_length=60, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=ProposalStatus, default=ProposalStatus.NEW)
    # The note it became; merged proposals share one.
    note = models.ForeignKey(Note, on_delete=models.SET_NULL, null=True, blank=True, related_name="proposals")
    # Set by the phone per typed answer; a retry with the same token is the same proposal.
    client_token = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["session", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["device", "client_token"], name="proposal_client_token_unique_per_device")
        ]
        indexes = [models.Index(fields=["session", "status"])]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")

    def __str__(self):
        return self.text[:80]


class ReviewInvitation(models.Model):
    """One person's personal link to review a draft report before it is approved (sessies.review).

    Invitations without `version` belong to the open review; approving closes it and records
    its outcome on the version it produced.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="review_invitations")
    participant = models.ForeignKey(
        Participant, on_delete=models.SET_NULL, null=True, blank=True, related_name="review_invitations"
    )
    name = models.CharField(_("name"), max_length=200)
    # Blank only after the person's data was erased (sessies.personal_data).
    email = models.EmailField(_("e-mail address"), blank=True)
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    mail_status = models.CharField(
        _("mail status"), max_length=20, choices=DeliveryStatus, default=DeliveryStatus.PENDING
    )
    mail_error = models.TextField(_("mail error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    opened_at = models.DateTimeField(_("first opened at"), null=True, blank=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    agreed_at = models.DateTimeField(_("agreed at"), null=True, blank=True)
    version = models.ForeignKey(
        ReportVersion,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="review_invitations",
        verbose_name=_("closed with version"),
    )

    class Meta:
        ordering = ["report", "created_at", "pk"]
        verbose_name = _("review invitation")
        verbose_name_plural = _("review invitations")

    def __str__(self):
        return f"{self.name} ({self.report})"


class ReviewResolution(models.TextChoices):
    OPEN = "", _("open")
    CHANGED = "aangepast", _("changed")
    UNCHANGED = "niet-aangepast", _("not changed")


class ReviewComment(models.Model):
    """A reviewer's comment on one section of the draft report, and how the secretary resolved it."""

    invitation = models.ForeignKey(ReviewInvitation, on_delete=models.CASCADE, related_name="comments")
    # Which section: "summary", "key", "round-<block pk>", "agreements", "closing" (sessies.review).
    section = models.CharField(_("section"), max_length=40)
    # The section's title as the reviewer saw it, so the comment still reads right after edits.
    section_title = models.CharField(_("section title"), max_length=300)
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(default=timezone.now)
    resolution = models.CharField(
        _("resolution"), max_length=20, choices=ReviewResolution, default=ReviewResolution.OPEN, blank=True
    )
    reply = models.TextField(_("reply"), blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["invitation", "created_at", "pk"]
        verbose_name = _("review comment")
        verbose_name_plural = _("review comments")

    def __str__(self):
        return self.text[:80]
