from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from gesprekstafels.lib.forms import IdsChoiceField
from kader.models import CHECKLIST_NOTE_MAX_LENGTH, ChecklistStatus, ResearchProject

PROJECT_DESCRIPTION_MAX_LENGTH = 5000


class ResearchProjectForm(forms.ModelForm):
    class Meta:
        model = ResearchProject
        fields = ["title", "organisation", "description", "current_phase", "researchers"]
        widgets = {"researchers": forms.CheckboxSelectMultiple, "description": forms.Textarea(attrs={"rows": 4})}
        field_classes = {"researchers": IdsChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The model's text has no bound; the form keeps what is typed to a page's worth.
        description = self.fields["description"]
        description.max_length = PROJECT_DESCRIPTION_MAX_LENGTH
        description.validators.append(MaxLengthValidator(PROJECT_DESCRIPTION_MAX_LENGTH))
        description.widget.attrs["maxlength"] = str(PROJECT_DESCRIPTION_MAX_LENGTH)
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
        error_messages={"max_length": _("A note can be at most %(limit_value)d characters (it has %(show_value)d).")},
    )
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=0,
        error_messages=dict.fromkeys(
            ("required", "invalid", "min_value"), _("This form is out of date. Reload the page and save again.")
        ),
    )

    @staticmethod
    def prefix_for(point):
        """One form per point on a page: the prefix keeps their fields apart."""
        return f"p{point.pk}"

    @classmethod
    def for_entry(cls, entry, point):
        """An unbound form showing the entry as saved."""
        return cls(
            initial={"status": entry.status, "note": entry.note, "version": entry.version}, prefix=cls.prefix_for(point)
        )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean(self):
        cleaned = super().clean()
        # The version is hidden, and so would be its error: it is said for the whole row instead.
        if "version" in self._errors:
            self.add_error(None, ValidationError(self._errors.pop("version").as_data()))
        return cleaned
