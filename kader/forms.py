from crispy_forms.helper import FormHelper
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from gesprekstafels.lib.http import parse_id
from kader.models import (
    CHECKLIST_NOTE_MAX_LENGTH,
    LEADING_ROLES,
    ChecklistStatus,
    Contact,
    ProjectRole,
    ResearchProject,
)

PROJECT_DESCRIPTION_MAX_LENGTH = 5000


class ResearchProjectForm(forms.ModelForm):
    class Meta:
        model = ResearchProject
        fields = ["title", "organisation", "description", "current_phase", "ended_on"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "ended_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The model's text has no bound; the form keeps what is typed to a page's worth.
        description = self.fields["description"]
        description.max_length = PROJECT_DESCRIPTION_MAX_LENGTH
        description.validators.append(MaxLengthValidator(PROJECT_DESCRIPTION_MAX_LENGTH))
        description.widget.attrs["maxlength"] = str(PROJECT_DESCRIPTION_MAX_LENGTH)
        self.fields["current_phase"].empty_label = _("Choose…")
        self.helper = FormHelper()
        self.helper.form_tag = False


class NewProjectForm(ResearchProjectForm):
    """Creating a project: its creator says their own role in it and becomes its first member."""

    role = forms.ChoiceField(
        label=_("Your role in this project"),
        choices=[(role.value, role.label) for role in LEADING_ROLES],
        initial=ProjectRole.RESEARCHER,
        help_text=_("You become the project's first member; add the others on its People page."),
    )

    class Meta(ResearchProjectForm.Meta):
        fields = ["title", "organisation", "description", "current_phase"]

    def project_fields(self):
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class AccountChoiceField(forms.ModelChoiceField):
    """An account by id, refusing anything but a storable id before the database sees it."""

    def to_python(self, value):
        if value not in self.empty_values and parse_id(str(value)) is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)

    def label_from_instance(self, user):
        return user.get_full_name() or user.username


class MemberForm(forms.Form):
    """Adding a member: an active account and the role they take in the project."""

    prefix = "member"

    user = AccountChoiceField(
        label=_("Account"),
        queryset=get_user_model().objects.filter(is_active=True).order_by("first_name", "last_name", "username"),
        empty_label=_("Choose…"),
        error_messages={"invalid_choice": _("Choose one of the listed accounts.")},
    )
    role = forms.ChoiceField(
        label=_("Project role"),
        choices=ProjectRole.choices,
        error_messages={"invalid_choice": _("Choose one of the listed roles.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template's form has its token


def _contact_field(name, **kwargs):
    """A form field with the model field's label and bounds."""
    return Contact._meta.get_field(name).formfield(**kwargs)


class ContactForm(forms.Form):
    """A contact of the project (a person without an account): the fields kader.projects.save_contact takes."""

    name = _contact_field("name")
    email = _contact_field("email")
    organisation = _contact_field("organisation")
    role = _contact_field("role", error_messages={"invalid_choice": _("Choose one of the listed roles.")})

    @staticmethod
    def prefix_for(contact=None):
        """The new contact's form and each contact's edit form keep their fields apart on one page."""
        return f"contact-{contact.pk}" if contact is not None else "contact"

    @classmethod
    def for_contact(cls, contact):
        """An unbound form showing the contact as stored."""
        fields = ("name", "email", "organisation", "role")
        return cls(initial={name: getattr(contact, name) for name in fields}, prefix=cls.prefix_for(contact))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True  # the template's form has its token


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
