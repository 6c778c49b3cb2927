from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from sessies.models import Report


class ReportTextsForm(forms.ModelForm):
    class Meta:
        model = Report
        fields = ["summary", "closing_remark"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 4}), "closing_remark": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class SendReportForm(forms.Form):
    recipients = forms.MultipleChoiceField(
        label=_("Recipients"), required=False, widget=forms.CheckboxSelectMultiple
    )
    extra_addresses = forms.CharField(
        label=_("Other addresses"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One e-mail address per line."),
    )
    subject = forms.CharField(label=_("Subject"), max_length=300)
    message = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)
    confirm_resend = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = dict((email, name) for name, email in candidates)
        self.fields["recipients"].choices = [(email, f"{name} <{email}>") for name, email in candidates]
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_extra_addresses(self):
        addresses = []
        for line in self.cleaned_data["extra_addresses"].replace(",", "\n").splitlines():
            address = line.strip()
            if not address:
                continue
            try:
                validate_email(address)
            except ValidationError:
                raise ValidationError(_("“%(address)s” is not a valid e-mail address.") % {"address": address})
            addresses.append(address)
        return addresses

    def recipient_list(self):
        """[(name, email)] without duplicates."""
        seen, result = set(), []
        chosen = [(self.candidates[e], e) for e in self.cleaned_data["recipients"]]
        for name, email in chosen + [("", e) for e in self.cleaned_data["extra_addresses"]]:
            if email.lower() not in seen:
                seen.add(email.lower())
                result.append((name, email))
        return result

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not self.recipient_list():
            raise ValidationError(_("Choose at least one recipient."))
        return cleaned
