"""The script library: conversation methods, their timed scripts, questions, tips and roles."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kader.models import AttentionPoint, Phase

# No block of a conversation runs longer than a working day; the bound also keeps every
# sum of minutes far inside the database's small integers.
MAX_BLOCK_MINUTES = 480


class Method(models.Model):
    """A conversation method (e.g. Gesprekstafels), holding what its scripts share."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), unique=True)
    order = models.PositiveSmallIntegerField(
        _("order"), default=0, help_text=_("The library lists methods in this order (Gesprekstafels first).")
    )
    source = models.CharField(_("source"), max_length=300, blank=True)
    introduction = models.TextField(_("introduction"), blank=True)
    purpose = models.TextField(_("purpose and target group"), blank=True)
    safe_environment = models.TextField(_("a safe environment"), blank=True)
    participant_rules_intro = models.TextField(
        _("introduction to the participant rules"),
        blank=True,
        help_text=_("The source's line that introduces the rules for participants."),
    )
    editorial_note = models.TextField(
        _("editorial note"), blank=True, help_text=_("The app's own remark on the source text, shown as such.")
    )
    builds_on = models.ManyToManyField(
        "WorkFormTool",
        blank=True,
        related_name="methods",
        verbose_name=_("builds on"),
        help_text=_("Work forms of the toolbox this method builds on."),
    )

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("method")
        verbose_name_plural = _("methods")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("scripts:method", args=[self.slug])


class Role(models.Model):
    method = models.ForeignKey(Method, on_delete=models.CASCADE, related_name="roles", verbose_name=_("method"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["method", "order", "pk"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self):
        return self.name


class TipAudience(models.TextChoices):
    FACILITATOR = "gespreksleider", _("for facilitators")
    PARTICIPANT = "deelnemer", _("for participants")
    RESEARCHER = "onderzoeker", _("for researchers, in preparation")
    PRINCIPLE = "basisprincipe", _("basic principles")


class Tip(models.Model):
    method = models.ForeignKey(Method, on_delete=models.CASCADE, related_name="tips", verbose_name=_("method"))
    audience = models.CharField(_("audience"), max_length=20, choices=TipAudience)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.TextField(_("text"))

    class Meta:
        ordering = ["method", "audience", "order", "pk"]
        verbose_name = _("tip")
        verbose_name_plural = _("tips")

    def __str__(self):
        return self.text[:80]


class ScriptKind(models.TextChoices):
    GROUP = "groep", _("group conversation")
    ONE_TO_ONE = "een_op_een", _("one-to-one conversation")
    TRAINING = "training", _("training")


class Script(models.Model):
    """A timed script (draaiboek). Its duration is the sum of its blocks' minutes."""

    method = models.ForeignKey(Method, on_delete=models.PROTECT, related_name="scripts", verbose_name=_("method"))
    title = models.CharField(_("title"), max_length=300)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    phase = models.ForeignKey(
        Phase,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="scripts",
        verbose_name=_("framework phase"),
        help_text=_("Empty for scripts that belong to no phase of the framework."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=ScriptKind, default=ScriptKind.GROUP)
    variant_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="variants",
        verbose_name=_("variant of"),
        help_text=_("For a variant (e.g. for a larger group): the script it varies on."),
    )
    purpose = models.TextField(_("purpose"), blank=True)
    setting = models.TextField(_("setting"), blank=True, help_text=_("The room layout (opstelling)."))
    variant_label = models.CharField(_("variant"), max_length=200, blank=True)
    min_participants = models.PositiveSmallIntegerField(_("minimum participants"), null=True, blank=True)
    max_participants = models.PositiveSmallIntegerField(_("maximum participants"), null=True, blank=True)
    repeatable = models.BooleanField(_("may be held several times"), default=False)
    footnote = models.TextField(_("footnote"), blank=True, help_text=_("A footnote of the source on this script."))
    times_are_suggestions = models.BooleanField(
        _("times are the app's suggestion"),
        default=False,
        help_text=_("Set when the source gives no times: pages say the minutes are a suggestion."),
    )
    shortening_advice = models.TextField(
        _("advice when time is short"),
        blank=True,
        help_text=_("What the source says about running short of time; shown with catch-up proposals."),
    )

    class Meta:
        # The method's order first (Gesprekstafels), then by phase; scripts of no phase last on every database.
        ordering = ["method__order", models.F("phase__number").asc(nulls_last=True), "order", "title"]
        verbose_name = _("script")
        verbose_name_plural = _("scripts")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("scripts:script", args=[self.slug])

    @property
    def total_minutes(self):
        # Annotated by list queries to avoid one aggregate per script.
        annotated = getattr(self, "annotated_minutes", None)
        if annotated is not None:
            return annotated
        return self.blocks.aggregate(total=Sum("minutes"))["total"] or 0

    def clean(self):
        if self.min_participants and self.max_participants and self.min_participants > self.max_participants:
            raise ValidationError(_("The minimum number of participants exceeds the maximum."))


class WorkForm(models.TextChoices):
    PLENARY = "plenair", _("plenary")
    SUBGROUPS = "subgroepen", _("subgroups")
    INDIVIDUAL = "individueel", _("individual round first")
    MIXED = "gemengd", _("mixed")
    ONE_TO_ONE = "tweegesprek", _("one-to-one conversation")


class Block(models.Model):
    script = models.ForeignKey(Script, on_delete=models.CASCADE, related_name="blocks", verbose_name=_("script"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=300)
    subtitle = models.CharField(_("subtitle"), max_length=300, blank=True)
    minutes = models.PositiveSmallIntegerField(
        _("minutes"), validators=[MinValueValidator(1), MaxValueValidator(MAX_BLOCK_MINUTES)]
    )
    min_minutes = models.PositiveSmallIntegerField(
        _("minimum minutes"),
        null=True,
        blank=True,
        help_text=_("How far the block may be shortened when a session runs behind."),
    )
    work_form = models.CharField(_("work form"), max_length=20, choices=WorkForm, default=WorkForm.PLENARY)
    suggested_approach = models.TextField(
        _("suggested approach"), blank=True, help_text=_("A side note of the source on how to run the block.")
    )
    is_protected = models.BooleanField(
        _("protected"), default=False, help_text=_("Never shortened to win time back (the closing block).")
    )
    is_optional = models.BooleanField(_("optional"), default=False, help_text=_("May be skipped when time runs short."))
    work_forms = models.ManyToManyField(
        "WorkFormTool", blank=True, related_name="blocks", verbose_name=_("work forms from the toolbox")
    )

    class Meta:
        ordering = ["script", "order", "pk"]
        verbose_name = _("block")
        verbose_name_plural = _("blocks")

    def __str__(self):
        return f"{self.title} ({self.minutes} min)"

    def clean(self):
        if self.min_minutes and self.minutes and self.min_minutes > self.minutes:
            raise ValidationError({"min_minutes": _("The minimum cannot exceed the block's minutes.")})


class Perspective(models.TextChoices):
    RESEARCHER = "onderzoeker", _("researcher")
    PROFESSIONAL = "professional", _("professional")
    CLIENT = "client", _("client")
    ENVIRONMENT = "omgeving", _("environment")


class StepKind(models.TextChoices):
    INSTRUCTION = "instructie", _("instruction")
    QUESTION = "vraag", _("question")
    GROUP = "groep", _("group of sub-points")


class StepFields(models.Model):
    """What a step of a block holds, in the script library and in a session's copy alike."""

    order = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=20, choices=StepKind, default=StepKind.INSTRUCTION)
    text = models.TextField(_("text"))
    label = models.CharField(
        _("label"),
        max_length=100,
        blank=True,
        help_text=_("The source's label for a sub-point or help question, e.g. Verleden, Heden, Toekomst."),
    )
    perspective = models.CharField(_("perspective"), max_length=20, choices=Perspective, blank=True)
    guidance = models.TextField(_("guidance"), blank=True, help_text=_("How the question is introduced or worked on."))
    editorial_note = models.TextField(
        _("editorial note"), blank=True, help_text=_("The app's own remark on the source text, shown as such.")
    )

    class Meta:
        abstract = True

    def __str__(self):
        return self.text[:80]

    @property
    def is_question(self):
        return self.kind == StepKind.QUESTION

    @property
    def is_group(self):
        return self.kind == StepKind.GROUP

    @property
    def is_instruction(self):
        return self.kind == StepKind.INSTRUCTION

    def check_nesting(self, parent):
        """The rules every step obeys: one level of sub-points, under a question or a group."""
        if parent is None:
            return
        if parent.pk is not None and parent.pk == self.pk:
            raise ValidationError({"parent": _("A step cannot be its own sub-point.")})
        if parent.block_id != self.block_id:
            raise ValidationError({"parent": _("A sub-point belongs to a step of the same block.")})
        if parent.parent_id:
            raise ValidationError({"parent": _("Sub-points go one level deep.")})
        if parent.kind == StepKind.INSTRUCTION:
            raise ValidationError({"parent": _("Only a question or a group holds sub-points.")})
        if self.kind == StepKind.GROUP:
            raise ValidationError({"kind": _("A group cannot be a sub-point.")})

    def check_kind(self):
        if self.kind != StepKind.QUESTION and self.perspective:
            raise ValidationError({"perspective": _("Only a question has a perspective.")})


class Step(StepFields):
    """One step of a block, in the order the method gives: an instruction, a question or a group.

    A question's or group's sub-points are steps with `parent` set (one level deep): a help
    question, the endings of a start question, or the points under "Rondvraag:".
    """

    block = models.ForeignKey(Block, on_delete=models.CASCADE, related_name="steps", verbose_name=_("block"))
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("part of"),
        help_text=_("Set for a sub-point: the question or group it belongs to."),
    )
    attention_points = models.ManyToManyField(
        AttentionPoint, blank=True, related_name="questions", verbose_name=_("attention points")
    )

    class Meta:
        ordering = ["block", "order", "pk"]
        verbose_name = _("step")
        verbose_name_plural = _("steps")

    def clean(self):
        self.check_kind()
        self.check_nesting(self.parent if self.parent_id else None)
        if self.pk and self.children.exists():
            if self.parent_id:
                # Its own sub-points would sit two levels deep, shown nowhere.
                raise ValidationError({"parent": _("A step with sub-points cannot become a sub-point.")})
            if self.kind == StepKind.INSTRUCTION:
                # Notes could no longer be filed under its sub-points.
                raise ValidationError({"kind": _("A step with sub-points stays a question or a group.")})


@dataclass
class Outline:
    """A block's steps as the method orders them: top-level steps, each with its sub-points.

    Works for script steps and their session copies alike (anything with `pk`, `parent_id`,
    `order` and `kind`): the one place that tells questions, help questions and sub-points apart.
    """

    steps: list

    def __iter__(self):
        """(step, its sub-points) pairs in order."""
        return ((step, step.subpoints) for step in self.steps)

    def questions(self):
        """The questions notes are filed under, in step order: (question, its help questions).

        A question inside a group stands on its own; a question under a question is a help question.
        """
        pairs = []
        for step in self.steps:
            if step.is_question:
                pairs.append((step, [child for child in step.subpoints if child.is_question]))
            elif step.is_group:
                pairs.extend((child, []) for child in step.subpoints if child.is_question)
        return pairs

    def main_questions(self):
        return [question for question, _help in self.questions()]

    def picker(self):
        """(question, is a help question) for every question, help questions right after theirs."""
        return [(item, item is not question) for question, help in self.questions() for item in (question, *help)]


def outline(steps):
    """Arrange a block's steps (loaded in any order) into its Outline."""
    steps = sorted(steps, key=lambda step: (step.order, step.pk or 0))
    by_parent = {}
    for step in steps:
        by_parent.setdefault(step.parent_id, []).append(step)
    top = by_parent.get(None, [])
    for step in steps:
        step.subpoints = by_parent.get(step.pk, []) if step.parent_id is None else []
    return Outline(top)


class ExternalLink:
    """A link to a page outside the app, shown with its host and never fetched by the server."""

    @property
    def web_url(self):
        """The link when it is a web address; anything else (a fixture typo, a script URL) is not linked."""
        return self.url if urlsplit(self.url).scheme in ("http", "https") else ""

    @property
    def host(self):
        return urlsplit(self.url).hostname or ""


class LemniscatePhase(models.Model):
    """A phase of the lemniscate "Ervaringskennis in beleid" (Movisie toolbox)."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("lemniscate phase")
        verbose_name_plural = _("lemniscate phases")

    def __str__(self):
        return f"{self.number}. {self.name}"


class ToolboxSection(models.Model):
    """A part of the toolbox's front matter (Movisie): who to involve, the CEO link, further publications."""

    order = models.PositiveSmallIntegerField(_("order"), default=0)
    heading = models.CharField(_("heading"), max_length=200)
    body = models.TextField(_("text"), blank=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("toolbox introduction section")
        verbose_name_plural = _("toolbox introduction sections")

    def __str__(self):
        return self.heading


class ToolboxLink(ExternalLink, models.Model):
    """A link the toolbox's front matter gives, under its section."""

    section = models.ForeignKey(
        ToolboxSection, on_delete=models.CASCADE, related_name="links", verbose_name=_("section")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.TextField(_("title"))
    url = models.URLField(_("link"), max_length=500)

    class Meta:
        ordering = ["section", "order", "pk"]
        verbose_name = _("toolbox link")
        verbose_name_plural = _("toolbox links")

    def __str__(self):
        return self.title[:80]


class WorkFormCategory(models.Model):
    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("work form category")
        verbose_name_plural = _("work form categories")

    def __str__(self):
        return f"{self.number}. {self.name}"


class Audience(models.Model):
    """Who takes part in a work form, for filtering (e.g. inwoners/cliënten, professionals)."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("audience")
        verbose_name_plural = _("audiences")

    def __str__(self):
        return self.name


class WorkFormTool(models.Model):
    """A work form (tool) of the toolbox: when to use it, with whom, what it is, its source."""

    category = models.ForeignKey(
        WorkFormCategory, on_delete=models.PROTECT, related_name="tools", verbose_name=_("category")
    )
    code = models.CharField(_("number"), max_length=10, help_text=_("As numbered in the source, e.g. 1.2."))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=200)
    when = models.TextField(_("when"), blank=True)
    purpose = models.TextField(_("purpose"), blank=True, help_text=_("For tools the source describes by their goal."))
    with_whom = models.TextField(_("with whom"), blank=True)
    description = models.TextField(_("description"), blank=True)
    source = models.TextField(_("source"), blank=True)
    audiences = models.ManyToManyField(Audience, blank=True, related_name="tools", verbose_name=_("who takes part"))

    class Meta:
        ordering = ["category__number", "order", "pk"]
        verbose_name = _("work form")
        verbose_name_plural = _("work forms")

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self):
        return reverse("workforms:detail", args=[self.pk])


class Reading(ExternalLink, models.Model):
    """A "Meer lezen" entry of a work form: a title and, where the source gives one, its link."""

    tool = models.ForeignKey(
        WorkFormTool, on_delete=models.CASCADE, related_name="readings", verbose_name=_("work form")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.TextField(_("title"))
    url = models.URLField(_("link"), max_length=500, blank=True)

    class Meta:
        ordering = ["tool", "order", "pk"]
        verbose_name = _("further reading")
        verbose_name_plural = _("further reading")

    def __str__(self):
        return self.title[:80]
