"""The script library: reading scripts for display (a timeline with start times, questions
by perspective) and copying a script with everything it holds."""

from dataclasses import dataclass
from itertools import groupby

from django.db import transaction
from django.db.models import OuterRef, Prefetch, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from draaiboeken.models import Block, Method, Perspective, Script, Step, TipAudience, outline


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
    steps = Step.objects.prefetch_related("attention_points__phase")
    blocks = Block.objects.prefetch_related(Prefetch("steps", queryset=steps), "work_forms").order_by("order", "pk")
    return Script.objects.select_related("phase", "method").prefetch_related(
        Prefetch("blocks", queryset=blocks), "method__roles", "method__tips"
    )


@dataclass
class TimelineEntry:
    block: Block
    start_minute: int
    outline: object = None


def timeline(script):
    """The script's blocks with their planned start (minutes from 0:00) and their steps in order."""
    entries, start = [], 0
    for block in script.blocks.all():
        entries.append(TimelineEntry(block, start, outline(block.steps.all())))
        start += block.minutes
    return entries


def questions_by_perspective(entries):
    """The blocks' questions (not help questions) grouped by perspective, in the Perspective choices' order."""
    rank = {value: index for index, value in enumerate(Perspective.values)}
    central = [q for entry in entries for q in entry.outline.main_questions()]
    central.sort(key=lambda q: rank.get(q.perspective, len(rank)))
    return [
        (key, Perspective(key).label if key else "", list(group))
        for key, group in groupby(central, key=lambda q: q.perspective)
    ]


TIP_HEADINGS = {
    TipAudience.PARTICIPANT: gettext_lazy("Rules for participants"),
    TipAudience.FACILITATOR: gettext_lazy("Tips for facilitators"),
    TipAudience.RESEARCHER: gettext_lazy("For researchers, in preparation"),
    TipAudience.PRINCIPLE: gettext_lazy("Basic principles"),
}


@dataclass
class TipGroup:
    audience: str
    heading: str
    tips: list


def tips_by_audience(method):
    """The method's tips per audience that has any, participant rules first."""
    tips = list(method.tips.all())
    groups = [
        TipGroup(audience, heading, [tip for tip in tips if tip.audience == audience])
        for audience, heading in TIP_HEADINGS.items()
    ]
    return [group for group in groups if group.tips]


def method_for_display():
    """A method with everything its page shows, in a fixed number of queries."""
    return Method.objects.prefetch_related(
        "roles",
        "tips",
        "builds_on",
        Prefetch("scripts", queryset=scripts_with_minutes().order_by("phase__number", "order", "title")),
    )


# Changing


@transaction.atomic
def duplicate_script(script):
    """Copy a script with its blocks (and their work forms), steps (sub-points included) and links."""
    blocks = list(script.blocks.prefetch_related("work_forms"))
    steps = list(Step.objects.filter(block__script=script).prefetch_related("attention_points"))
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
    step_map = {}
    # Top-level steps first so sub-points can point at their copies.
    for step in sorted(steps, key=lambda step: step.parent_id is not None):
        points = list(step.attention_points.all())
        old_pk = step.pk
        step.pk = None
        step.block = block_map[step.block_id]
        step.parent = step_map.get(step.parent_id)
        step.save()
        step.attention_points.set(points)
        step_map[old_pk] = step
    return copy


def _free_slug(base):
    for index in range(2, 1000):
        candidate = slugify(f"{base}-kopie-{index}")[:120]
        if not Script.objects.filter(slug=candidate).exists():
            return candidate
    raise ValueError("no free slug")


def scripts_for_phase(phase):
    """The scripts of a framework phase, as links for its page (see kader.links)."""
    from kader.links import PhaseLink

    return [
        PhaseLink(script.title, script.get_absolute_url())
        for script in Script.objects.filter(phase=phase).order_by("order", "title")
    ]
