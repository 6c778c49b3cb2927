from django.contrib import admin

from kader.models import (
    AttentionPoint,
    ChecklistEntry,
    Contact,
    ExplanationSection,
    IntroSection,
    Membership,
    Phase,
    ResearchProject,
)


class AttentionPointInline(admin.TabularInline):
    model = AttentionPoint
    fields = ["number", "title"]
    extra = 0
    show_change_link = True


@admin.register(Phase)
class PhaseAdmin(admin.ModelAdmin):
    list_display = ["number", "name"]
    inlines = [AttentionPointInline]


class ExplanationSectionInline(admin.StackedInline):
    model = ExplanationSection
    fields = ["order", "heading", "body"]
    extra = 0


@admin.register(AttentionPoint)
class AttentionPointAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "phase"]
    list_filter = ["phase"]
    search_fields = ["title", "sections__heading", "sections__body"]
    list_select_related = ["phase"]
    inlines = [ExplanationSectionInline]


@admin.register(IntroSection)
class IntroSectionAdmin(admin.ModelAdmin):
    list_display = ["order", "heading"]
    list_display_links = ["heading"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(ResearchProject)
class ResearchProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "current_phase", "ended_on", "updated_at"]
    list_filter = ["current_phase"]
    search_fields = ["title", "organisation", "description", "members__username", "members__last_name"]
    inlines = [MembershipInline, ContactInline]


@admin.register(ChecklistEntry)
class ChecklistEntryAdmin(admin.ModelAdmin):
    list_display = ["project", "attention_point", "status", "changed_by", "changed_at"]
    list_filter = ["status", "attention_point__phase"]
    search_fields = ["project__title", "attention_point__title", "note"]
    list_select_related = ["project", "attention_point__phase", "changed_by"]
    readonly_fields = ["version", "changed_by", "changed_at"]
