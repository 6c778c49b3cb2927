from django.urls import include, path

from sessies.views import live, notes, photos, reports, sessions, stream

app_name = "sessions"
urlpatterns = [
    path("", sessions.session_list, name="list"),
    path("nieuw/", sessions.session_create, name="create"),
    path("<int:pk>/", sessions.session_detail, name="detail"),
    path("<int:pk>/blokken/", sessions.session_blocks, name="blocks"),
    path("<int:pk>/deelnemers/", sessions.session_participants_form, name="participants"),
    path("<int:pk>/deelnemers/opslaan/", sessions.session_participants, name="participants_save"),
    path("<int:pk>/regie/", live.run_view, name="run"),
    path("<int:pk>/regie/inhalen/", live.catch_up, name="catch_up"),
    path("<int:pk>/regie/<slug:action>/", live.transition, name="transition"),
    path("<int:pk>/projectie/", live.projector_view, name="projector"),
    path("<int:pk>/stand/", live.live_poll, name="live"),
    path("<int:pk>/stroom/", stream.live_stream, name="stream"),
    path("<int:pk>/notuleren/", notes.secretary_view, name="notes"),
    path("<int:pk>/notities/", notes.note_create, name="note_create"),
    path("<int:pk>/notities/<int:note_pk>/", notes.note_edit, name="note_edit"),
    path("<int:pk>/notities/<int:note_pk>/verwijderen/", notes.note_delete, name="note_delete"),
    path("<int:pk>/notities/<int:note_pk>/herstellen/", notes.note_restore, name="note_restore"),
    path("<int:pk>/notities/<int:note_pk>/ster/", notes.note_star, name="note_star"),
    path("<int:pk>/afspraken/", notes.agreement_create, name="agreement_create"),
    path("<int:pk>/afspraken/<int:agreement_pk>/verwijderen/", notes.agreement_delete, name="agreement_delete"),
    path("<int:pk>/fotos/", photos.photo_add, name="photo_add"),
    path("<int:pk>/fotos/volgorde/", photos.photo_order, name="photo_order"),
    path("<int:pk>/fotos/<int:photo_pk>/", photos.photo_caption, name="photo_caption"),
    path("<int:pk>/fotos/<int:photo_pk>/verwijderen/", photos.photo_delete, name="photo_delete"),
    path("<int:pk>/fotos/<int:photo_pk>/foto.jpg", photos.photo_image, name="photo_image"),
    path("<int:pk>/verslag/", reports.report_view, name="report"),
    path("<int:pk>/verslag.pdf", reports.report_pdf, name="report_pdf"),
    path("<int:pk>/verslag/versie-<int:number>.pdf", reports.report_version_pdf, name="report_version_pdf"),
    path("<int:pk>/verslag/teksten/", reports.report_texts, name="report_texts"),
    path("<int:pk>/verslag/tijden/", reports.report_times, name="report_times"),
    path("<int:pk>/verslag/notities/<int:note_pk>/", reports.report_note, name="report_note"),
    path("<int:pk>/verslag/goedkeuren/", reports.report_approve, name="report_approve"),
    path("<int:pk>/verslag/versturen/", reports.report_send, name="report_send"),
    path("<int:pk>/verslag/versturen/opnieuw/", reports.report_retry, name="report_retry"),
    # The secretary's side of the draft report's review (sessies.review).
    path("", include("sessies.review_urls")),
]
