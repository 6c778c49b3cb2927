from django.urls import include, path

from kader import views

framework_patterns = [
    path("", views.framework, name="framework"),
    path("fase/<int:number>/", views.phase, name="phase"),
    path("fase/<int:number>/pdf/", views.phase_pdf, name="phase_pdf"),
]

project_patterns = [
    path("", views.project_list, name="list"),
    path("nieuw/", views.project_create, name="create"),
    path("<int:pk>/", views.project_detail, name="detail"),
    path("<int:pk>/bewerken/", views.project_edit, name="edit"),
    path("<int:pk>/mensen/", views.project_people, name="people"),
    path("<int:pk>/mensen/leden/", views.member_add, name="member_add"),
    path("<int:pk>/mensen/leden/<int:membership_pk>/verwijderen/", views.member_remove, name="member_remove"),
    path("<int:pk>/mensen/contacten/", views.contact_add, name="contact_add"),
    path("<int:pk>/mensen/contacten/<int:contact_pk>/", views.contact_edit, name="contact_edit"),
    path("<int:pk>/mensen/contacten/<int:contact_pk>/verwijderen/", views.contact_remove, name="contact_remove"),
    path("<int:pk>/checklist/<int:number>/", views.checklist, name="checklist"),
    path("<int:pk>/checklist/punt/<int:point_pk>/", views.checklist_entry, name="checklist_entry"),
    path("<int:pk>/checklist.pdf", views.checklist_pdf, name="checklist_pdf"),
]

urlpatterns = [
    path("kader/", include((framework_patterns, "framework"))),
    path("onderzoeken/", include((project_patterns, "projects"))),
]
