"""Changes to the script library that span several models."""

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from gesprekstafels.models import Question, Script


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
    for question in sorted(questions, key=lambda q: q.parent_id is not None):
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
