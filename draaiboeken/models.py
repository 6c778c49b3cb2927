"""The script library: conversation methods, their timed scripts, questions, tips and roles."""

from dataclasses import dataclass

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
    source = models.CharField(_("source"), max_length=300, blank=True)
    introduction = models.TextField(_("introduction"), blank=True)
    purpose = models.TextField(_("purpose and target group"), blank=True)
    safe_environment = models.TextField(_("a safe environment"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("method")
        verbose_name_plural = _("methods")

    def __str__(self):
        return self.name


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

    class Meta:
        ordering = ["phase__number", "order", "title"]
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


class BlockTextLines:
    """One-item-per-line text fields of a block as lists, for scripts and session copies alike."""

    @property
    def instruction_lines(self):
        return split_lines(self.instructions)

    @property
    def practical_lines(self):
        return split_lines(self.practical_matters)

    @property
    def follow_up_lines(self):
        return split_lines(self.follow_up)


class Block(BlockTextLines, models.Model):
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
    instructions = models.TextField(_("instructions"), blank=True, help_text=_("One instruction per line."))
    suggested_approach = models.TextField(_("suggested approach"), blank=True)
    practical_matters = models.TextField(_("practical matters"), blank=True, help_text=_("One item per line."))
    follow_up = models.TextField(_("follow-up"), blank=True, help_text=_("One item per line."))
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


def split_lines(text):
    return [line.strip() for line in text.splitlines() if line.strip()]


class Perspective(models.TextChoices):
    RESEARCHER = "onderzoeker", _("researcher")
    PROFESSIONAL = "professional", _("professional")
    CLIENT = "client", _("client")
    ENVIRONMENT = "omgeving", _("environment")


class Question(models.Model):
    """A central question of a block, or a help question (hulpvraag) under one."""

    block = models.ForeignKey(Block, on_delete=models.CASCADE, related_name="questions", verbose_name=_("block"))
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="help_questions",
        verbose_name=_("central question"),
        help_text=_("Set for a help question: the central question it belongs to."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.TextField(_("text"))
    perspective = models.CharField(_("perspective"), max_length=20, choices=Perspective, blank=True)
    guidance = models.TextField(_("guidance"), blank=True, help_text=_("How the question is introduced or worked on."))
    attention_points = models.ManyToManyField(
        AttentionPoint, blank=True, related_name="questions", verbose_name=_("attention points")
    )

    class Meta:
        ordering = ["block", "order", "pk"]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self):
        return self.text[:80]

    def clean(self):
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": _("A question cannot be its own help question.")})
        if self.parent_id and self.parent.block_id != self.block_id:
            raise ValidationError({"parent": _("A help question belongs to a question of the same block.")})
        if self.parent_id and self.parent.parent_id:
            raise ValidationError({"parent": _("A help question cannot have help questions of its own.")})
        if self.parent_id and self.pk and self.help_questions.exists():
            # Its own help questions would sit two levels deep, shown nowhere.
            raise ValidationError({"parent": _("A question with help questions cannot become a help question.")})


@dataclass
class QuestionSplit:
    """A block's questions split into central and help questions, each in the given order."""

    central: list
    help: list

    def help_for(self, question):
        """The help questions under this central question."""
        return [help_question for help_question in self.help if help_question.parent_id == question.pk]

    def __iter__(self):
        """(central question, its help questions) pairs, for pages that show them nested."""
        return ((question, self.help_for(question)) for question in self.central)


def split_questions(questions):
    """Split questions into central and help questions: the one place that tells them apart.

    Works for script questions and their session copies alike (anything with `pk` and `parent_id`).
    """
    questions = list(questions)
    return QuestionSplit(
        central=[question for question in questions if not question.parent_id],
        help=[question for question in questions if question.parent_id],
    )


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
    with_whom = models.TextField(_("with whom"), blank=True)
    description = models.TextField(_("description"), blank=True)
    source = models.TextField(_("source"), blank=True)
    further_reading = models.TextField(_("further reading"), blank=True, help_text=_("One title per line."))
    audiences = models.ManyToManyField(Audience, blank=True, related_name="tools", verbose_name=_("who takes part"))

    class Meta:
        ordering = ["category__number", "order", "pk"]
        verbose_name = _("work form")
        verbose_name_plural = _("work forms")

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self):
        return reverse("workforms:detail", args=[self.pk])

    @property
    def further_reading_lines(self):
        return split_lines(self.further_reading)
