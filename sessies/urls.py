from django.urls import path

from sessies import note_views, report_views, views

app_name = "sessies"
urlpatterns = [
    path("", views.session_list, name="list"),
    path("nieuw/", views.session_create, name="create"),
    path("<int:pk>/", views.session_detail, name="detail"),
    path("<int:pk>/blokken/", views.session_blocks, name="blocks"),
    path("<int:pk>/deelnemers/", views.session_participants_form, name="participants"),
    path("<int:pk>/deelnemers/opslaan/", views.session_participants, name="participants_save"),
    path("<int:pk>/regie/", views.run_view, name="run"),
    path("<int:pk>/regie/inhalen/", views.catch_up, name="catch_up"),
    path("<int:pk>/regie/<slug:action>/", views.transition, name="transition"),
    path("<int:pk>/projectie/", views.projector_view, name="projector"),
    path("<int:pk>/stand/", views.live_poll, name="live"),
    path("<int:pk>/notuleren/", note_views.secretary_view, name="notes"),
    path("<int:pk>/notities/", note_views.note_create, name="note_create"),
    path("<int:pk>/notities/<int:note_pk>/", note_views.note_edit, name="note_edit"),
    path("<int:pk>/notities/<int:note_pk>/verwijderen/", note_views.note_delete, name="note_delete"),
    path("<int:pk>/notities/<int:note_pk>/herstellen/", note_views.note_restore, name="note_restore"),
    path("<int:pk>/notities/<int:note_pk>/ster/", note_views.note_star, name="note_star"),
    path("<int:pk>/afspraken/", note_views.agreement_create, name="agreement_create"),
    path("<int:pk>/afspraken/<int:agreement_pk>/verwijderen/", note_views.agreement_delete, name="agreement_delete"),
    path("<int:pk>/verslag/", report_views.report_view, name="report"),
    path("<int:pk>/verslag.pdf", report_views.report_pdf, name="report_pdf"),
    path("<int:pk>/verslag/teksten/", report_views.report_texts, name="report_texts"),
    path("<int:pk>/verslag/notities/<int:note_pk>/", report_views.report_note, name="report_note"),
    path("<int:pk>/verslag/goedkeuren/", report_views.report_approve, name="report_approve"),
    path("<int:pk>/verslag/versturen/", report_views.report_send, name="report_send"),
    path("<int:pk>/verslag/versturen/opnieuw/", report_views.report_retry, name="report_retry"),
]
