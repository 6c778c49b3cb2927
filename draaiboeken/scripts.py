"""The script library: reading scripts for display (a timeline with start times, questions
by perspective) and copying a script with everything it holds."""

from dataclasses import dataclass, field
from itertools import groupby

from django.db import transaction
from django.db.models import OuterRef, Prefetch, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.text import slugify
from django.utils.translation import gettext as _

from draaiboeken.models import Block, Perspective, Question, Script, TipAudience, split_questions


def with_total_minutes(scripts):
    """Annotate each script's total minutes (read by `Script.total_minutes`) in the same query."""
    # A subquery, not a join: joins added later (admin search over blocks) would multiply a Sum.
    # Coalesce: a script without blocks yet would otherwise cost an aggregate query of its own.
    totals = Block.objects.filter(script=OuterRef("pk")).order_by().values("script").annotate(total=Sum("minutes"))
    return scripts.annotate(annotated_minutes=Coalesce(Subquery(totals.values("total")), 0))


def scripts_with_minutes():
    return with_total_minutes(Script.objects.select_related("phase", "method"))


def script_for_display():
    """A script with everything its page shows, in a fixed number of queries."""
    questions = Question.objects.prefetch_related("attention_points__phase").order_by("order", "pk")
    blocks = Block.objects.prefetch_related(Prefetch("questions", queryset=questions), "work_forms").order_by(
        "order", "pk"
    )
    return Script.objects.select_related("phase", "method").prefetch_related(
        Prefetch("blocks", queryset=blocks), "method__roles", "method__tips"
    )


@dataclass
class TimelineEntry:
    block: Block
    start_minute: int
    central_questions: list = field(default_factory=list)


def timeline(script):
    """The script's blocks with their planned start (minutes from 0:00) and their questions."""
    entries, start = [], 0
    for block in script.blocks.all():
        questions = split_questions(block.questions.all())
        for question, help_questions in questions:
            question.children = help_questions
        entries.append(TimelineEntry(block, start, questions.central))
        start += block.minutes
    return entries


def questions_by_perspective(entries):
    """Central questions grouped by perspective, in the order of the Perspective choices."""
    rank = {value: index for index, value in enumerate(Perspective.values)}
    central = [q for entry in entries for q in entry.central_questions]
    central.sort(key=lambda q: rank.get(q.perspective, len(rank)))
    return [
        (key, Perspective(key).label if key else "", list(group))
        for key, group in groupby(central, key=lambda q: q.perspective)
    ]


def tips_by_audience(method):
    tips = list(method.tips.all())
    return [(audience.label, [tip for tip in tips if tip.audience == audience]) for audience in TipAudience]


# Changing


@transaction.atomic
def duplicate_script(script):
    """Copy a script with its blocks (and their work forms), questions (help questions included) and links."""
    blocks = list(script.blocks.prefetch_related("work_forms"))
    questions = list(Question.objects.filter(block__script=script).prefetch_related("attention_points"))
    copy = Script.objects.get(pk=script.pk)
    copy.pk = None
    copy.title = _("%(title)s (copy)") % {"title": script.title}
    copy.slug = _free_slug(script.slug)
    copy.save()
    block_map = {}
    for block in blocks:
        old_pk, work_forms = block.pk, list(block.work_forms.all())
        block.pk = None
        block.script = copy
        block.save()
        block.work_forms.set(work_forms)
        block_map[old_pk] = block
    question_map = {}
    # Central questions first so help questions can point at their copies.
    split = split_questions(questions)
    for question in split.central + split.help:
        points = list(question.attention_points.all())
        old_pk = question.pk
        question.pk = None
        question.block = block_map[question.block_id]
        question.parent = question_map.get(question.parent_id)
        question.save()
        question.attention_points.set(points)
        question_map[old_pk] = question
    return copy


def _free_slug(base):
    for index in range(2, 1000):
        candidate = slugify(f"{base}-kopie-{index}")[:120]
        if not Script.objects.filter(slug=candidate).exists():
            return candidate
    raise ValueError("no free slug")
