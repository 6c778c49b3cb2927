from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from kader.models import CHECKLIST_NOTE_MAX_LENGTH, ChecklistStatus, ResearchProject


class ResearchProjectForm(forms.ModelForm):
    class Meta:
        model = ResearchProject
        fields = ["title", "organisation", "description", "current_phase", "researchers"]
        widgets = {"researchers": forms.CheckboxSelectMultiple, "description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.filter(is_active=True).order_by("first_name", "username")
        self.fields["researchers"].queryset = users
        self.fields["researchers"].label_from_instance = lambda user: user.get_full_name() or user.username
        self.fields["current_phase"].empty_label = _("Choose…")
        self.helper = FormHelper()
        self.helper.form_tag = False


class ChecklistEntryForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=ChecklistStatus.choices,
        error_messages={"invalid_choice": _("Choose one of the listed statuses.")},
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=CHECKLIST_NOTE_MAX_LENGTH,
        error_messages={
            "max_length": _("A note can be at most %(limit_value)d characters (it has %(show_value)d).")
        },
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    @classmethod
    def for_entry(cls, entry, point):
        """An unbound form showing the entry as saved."""
        return cls(initial={"status": entry.status, "note": entry.note, "version": entry.version}, prefix=f"p{point.pk}")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
