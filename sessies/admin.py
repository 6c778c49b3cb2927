from django.contrib import admin

from sessies.models import (
    Agreement,
    Delivery,
    Erasure,
    Note,
    Participant,
    Report,
    ReviewComment,
    ReviewInvitation,
    Session,
    SessionBlock,
    TimeAdjustment,
)


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 0


class SessionBlockInline(admin.TabularInline):
    model = SessionBlock
    fields = ["order", "title", "minutes", "original_minutes", "skipped", "spent_seconds"]
    readonly_fields = ["original_minutes", "spent_seconds"]
    extra = 0


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "starts_at", "state", "facilitator", "secretary"]
    list_filter = ["state", "phase_number"]
    search_fields = ["title", "project__title", "place"]
    list_select_related = ["project", "facilitator", "secretary"]
    readonly_fields = ["version", "current_block", "block_started_at", "started_at", "planned_end_at", "finished_at"]
    inlines = [SessionBlockInline, ParticipantInline]


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = ["text", "session", "tag", "is_key", "author", "created_at", "deleted_at"]
    list_filter = ["tag", "is_key"]
    search_fields = ["text", "session__title"]
    list_select_related = ["session", "author"]


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ["who", "what", "when", "session"]
    search_fields = ["who", "what", "session__title"]


@admin.register(TimeAdjustment)
class TimeAdjustmentAdmin(admin.ModelAdmin):
    list_display = ["session", "created_at", "description"]


class DeliveryInline(admin.TabularInline):
    model = Delivery
    fields = ["email", "status", "attempts", "last_error", "sent_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["session", "approved_at", "first_sent_at"]
    readonly_fields = ["approved_at", "approved_by", "pdf_sha256", "first_sent_at"]
    exclude = ["pdf"]
    inlines = [DeliveryInline]


@admin.register(Erasure)
class ErasureAdmin(admin.ModelAdmin):
    """The log of erasures: read only, it is the record that the AVG request was carried out."""

    list_display = ["erased_at", "erased_by"]
    readonly_fields = ["erased_at", "erased_by", "counts"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReviewCommentInline(admin.TabularInline):
    model = ReviewComment
    fields = ["section_title", "text", "created_at", "resolution", "reply", "resolved_at", "resolved_by"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ReviewInvitation)
class ReviewInvitationAdmin(admin.ModelAdmin):
    """The reviews of draft reports, to look into: they are made and changed on the report page only.

    The token is left out: it is the person's key to the draft.
    """

    list_display = ["name", "report", "created_at", "mail_status", "responded_at", "agreed_at", "revoked_at", "version"]
    list_filter = ["mail_status"]
    search_fields = ["name", "email", "report__session__title"]
    list_select_related = ["report__session", "version"]
    fields = [
        "report",
        "participant",
        "name",
        "email",
        "created_at",
        "created_by",
        "expires_at",
        "revoked_at",
        "mail_status",
        "mail_error",
        "sent_at",
        "opened_at",
        "responded_at",
        "agreed_at",
        "version",
    ]
    readonly_fields = fields
    inlines = [ReviewCommentInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
