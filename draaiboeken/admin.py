from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from draaiboeken.models import (
    Audience,
    Block,
    LemniscatePhase,
    Method,
    Reading,
    Role,
    Script,
    Step,
    StepKind,
    Tip,
    ToolboxLink,
    ToolboxSection,
    WorkFormCategory,
    WorkFormTool,
)
from draaiboeken.scripts import duplicate_script, with_total_minutes
from gesprekstafels.lib.http import parse_id


class RoleInline(admin.TabularInline):
    model = Role
    extra = 0


class TipInline(admin.TabularInline):
    model = Tip
    extra = 0


@admin.register(Method)
class MethodAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["builds_on"]
    inlines = [RoleInline, TipInline]


class BlockInline(admin.TabularInline):
    model = Block
    fields = ["order", "title", "minutes", "min_minutes", "work_form", "is_protected", "is_optional"]
    extra = 0
    show_change_link = True


# A copy is a new script: only who may add scripts may duplicate them.
@admin.action(description=_("Duplicate the selected scripts"), permissions=["add"])
def duplicate_scripts(modeladmin, request, queryset):
    copies = [duplicate_script(script) for script in queryset]
    modeladmin.message_user(
        request,
        ngettext("%(count)d script duplicated.", "%(count)d scripts duplicated.", len(copies)) % {"count": len(copies)},
        messages.SUCCESS,
    )


@admin.register(Script)
class ScriptAdmin(admin.ModelAdmin):
    list_display = ["title", "method", "phase", "variant_label", "duration"]
    list_filter = ["phase", "method"]
    search_fields = ["title", "purpose", "blocks__title", "blocks__steps__text"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [BlockInline]
    actions = [duplicate_scripts]

    def get_queryset(self, request):
        return with_total_minutes(super().get_queryset(request).select_related("phase", "method"))

    @admin.display(description=_("minutes"))
    def duration(self, script):
        return script.total_minutes


class StepInline(admin.StackedInline):
    """The block's steps in the method's order; change `order` to move one, `part of` to nest it."""

    model = Step
    fields = [
        ("order", "kind", "parent"),
        "text",
        ("label", "perspective"),
        "guidance",
        "editorial_note",
        "attention_points",
    ]
    extra = 0
    filter_horizontal = ["attention_points"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "parent":
            # Only top-level questions and groups of the block being edited hold sub-points.
            block_id = parse_id(request.resolver_match.kwargs.get("object_id"))
            field.queryset = (
                Step.objects.filter(block_id=block_id, parent=None).exclude(kind=StepKind.INSTRUCTION)
                if block_id is not None
                else Step.objects.none()
            )
        return field


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ["title", "script", "order", "minutes", "work_form"]
    list_filter = ["script__phase", "script", "work_form"]
    search_fields = ["title", "steps__text"]
    list_select_related = ["script"]
    filter_horizontal = ["work_forms"]
    inlines = [StepInline]


@admin.register(Step)
class StepAdmin(admin.ModelAdmin):
    list_display = ["text", "kind", "block", "perspective", "parent"]
    list_filter = ["kind", "perspective", "block__script__phase", "block__script"]
    search_fields = ["text", "guidance", "label"]
    list_select_related = ["block__script", "parent"]
    filter_horizontal = ["attention_points"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "parent":
            # The questions and groups that can hold sub-points: of the step's own block once it has one.
            candidates = Step.objects.filter(parent=None).exclude(kind=StepKind.INSTRUCTION)
            step_id = parse_id(request.resolver_match.kwargs.get("object_id"))
            block_id = Step.objects.filter(pk=step_id).values("block_id")[:1] if step_id is not None else None
            field.queryset = candidates.filter(block_id__in=block_id) if block_id is not None else candidates
        return field


class ReadingInline(admin.TabularInline):
    model = Reading
    extra = 0


@admin.register(WorkFormTool)
class WorkFormToolAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "category"]
    list_filter = ["category", "audiences"]
    search_fields = ["name", "when", "with_whom", "description", "source"]
    list_select_related = ["category"]
    filter_horizontal = ["audiences"]
    inlines = [ReadingInline]


class ToolboxLinkInline(admin.TabularInline):
    model = ToolboxLink
    extra = 0


@admin.register(ToolboxSection)
class ToolboxSectionAdmin(admin.ModelAdmin):
    list_display = ["heading", "order"]
    inlines = [ToolboxLinkInline]


admin.site.register(WorkFormCategory)
admin.site.register(Audience)
admin.site.register(LemniscatePhase)
