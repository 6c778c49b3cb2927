from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Case, Exists, IntegerField, OuterRef, Value, When
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from draaiboeken.models import MAX_BLOCK_MINUTES, Script
from gesprekstafels.lib.http import parse_id
from gesprekstafels.lib.mail import validate_header_text, validate_mail_address
from kader.models import Contact, Membership, Phase, ProjectRole, ResearchProject
from sessies import roles
from sessies.access import projects_to_plan_for
from sessies.models import (
    NOTE_MAX_LENGTH,
    SESSION_YEARS,
    Agreement,
    Delivery,
    NoteTag,
    Participant,
    Report,
    Session,
    SessionBlock,
)
from sessies.reports import Recipient, unique_recipients


def users_in(group_name):
    return get_user_model().objects.filter(is_active=True, groups__name=group_name).order_by("first_name", "username")


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        name = user.get_full_name() or user.username
        if getattr(user, "in_project", False):
            return _("%(name)s (in this project)") % {"name": name}
        return name


def members_first(users, project, role):
    """The users with the project's members in `role` first, marked `in_project` (no extra query)."""
    if project is None:
        return users
    member = Membership.objects.filter(project=project, role=role, user=OuterRef("pk"))
    return users.annotate(in_project=Exists(member)).order_by("-in_project", "first_name", "username")


class SessionForm(forms.ModelForm):
    facilitator = UserChoiceField(queryset=None, label=_("Facilitator"))
    secretary = UserChoiceField(queryset=None, label=_("Secretary"))

    class Meta:
        model = Session
        fields = ["project", "script", "title", "starts_at", "place", "facilitator", "secretary"]
        widgets = {
            "starts_at": forms.DateTimeInput(
                attrs={
                    "type": "datetime-local",
                    "min": f"{SESSION_YEARS[0]}-01-01T00:00",
                    "max": f"{SESSION_YEARS[1]}-12-31T23:59",
                },
                format="%Y-%m-%dT%H:%M",
            )
        }
        help_texts = {"title": _("Leave empty to use the script's title.")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        projects = self.fields["project"]
        # Only the projects the user leads (sessies.access.can_plan_session): the list is the rule.
        projects.queryset = projects_to_plan_for(user).select_related("current_phase")
        projects.error_messages.update(
            required=_("Choose the research project this session is for."),
            invalid_choice=_("You cannot plan sessions for that research project. Choose one of the listed projects."),
        )
        # Choosing a project brings its contacts to tick (see session_form.html); the request carries its id.
        projects.widget.attrs.update(
            {"hx-get": reverse("sessions:create"), "hx-target": "#project-contacts", "hx-swap": "outerHTML"}
        )
        self.project = project = self._chosen_project()
        self.fields["script"].required = True
        self.fields["title"].required = False
        # The role groups decide who may run or minute a session; the project's own people come first.
        self.fields["facilitator"].queryset = members_first(
            users_in(roles.FACILITATORS), project, ProjectRole.FACILITATOR
        )
        self.fields["secretary"].queryset = members_first(users_in(roles.SECRETARIES), project, ProjectRole.SECRETARY)
        for name in ("project", "script", "facilitator", "secretary"):
            self.fields[name].empty_label = _("Choose…")
        scripts = Script.objects.select_related("phase")
        if project is not None:
            # The script of the project's phase comes first.
            scripts = scripts.annotate(
                first=Case(
                    When(phase=project.current_phase_id, then=Value(0)), default=Value(1), output_field=IntegerField()
                )
            ).order_by("first", "phase__number", "order", "title")
        self.fields["script"].queryset = scripts
        self.helper = FormHelper()
        self.helper.form_tag = False
        # The project field is rendered apart, with its "show contacts" button (session_form.html).
        self.helper.layout = Layout(*[name for name in self.fields if name != "project"])

    def _chosen_project(self):
        """The project the form is for: the posted one when the user may plan for it, else the initial one."""
        if self.is_bound:
            value = self.data.get(self.add_prefix("project"))
        else:
            value = self.initial.get("project")
            if isinstance(value, ResearchProject):
                return value
        pk = parse_id(value if isinstance(value, str) else str(value or ""))
        return None if pk is None else self.fields["project"].queryset.filter(pk=pk).first()

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("title") and cleaned.get("script"):
            cleaned["title"] = cleaned["script"].title
        return cleaned


class ParticipantForm(forms.ModelForm):
    class Meta:
        model = Participant
        fields = ["name", "email", "role", "organisation"]
        error_messages = {"email": {"invalid": _("Enter a valid e-mail address, for example naam@organisatie.nl.")}}


FOREIGN_CONTACT = _(
    "A ticked contact does not belong to this session's research project. Nothing was saved; "
    "tick the project's contacts again."
)


class ProjectContactsForm(forms.Form):
    """The project's contacts to add as participants: those not yet taking part are offered."""

    contacts = forms.ModelMultipleChoiceField(
        queryset=Contact.objects.none(),
        required=False,
        label=_("From the project's contacts"),
        error_messages={"invalid_choice": FOREIGN_CONTACT, "invalid_pk_value": FOREIGN_CONTACT},
    )

    def __init__(self, *args, project, session=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.project, self.session = project, session
        # Every contact of the project is accepted (one already taking part is skipped when
        # saving); any other id is refused.
        self.fields["contacts"].queryset = project.contacts.all() if project else Contact.objects.none()

    @cached_property
    def offered(self):
        """The contacts to tick, in one query: the project's, less those already in the session."""
        if self.project is None:
            return []
        contacts = self.project.contacts.order_by("name", "pk")
        if self.session is not None:
            contacts = contacts.exclude(participations__session=self.session)
        return list(contacts)

    @cached_property
    def ticked(self):
        """Ids to show ticked again: what was posted (or given as initial)."""
        name = self.add_prefix("contacts")
        if self.is_bound:
            values = self.data.getlist(name) if hasattr(self.data, "getlist") else self.data.get(name, ())
        else:
            values = self.initial.get("contacts", ())
        return {pk for pk in (parse_id(str(value)) for value in values) if pk is not None}

    def add_foreign_error(self):
        self.add_error("contacts", FOREIGN_CONTACT)


class OwnRowsFormSetMixin:
    """Refuse rows that are not the formset's own instead of skipping them in silence.

    Django treats a posted row whose id is not among the formset's objects (another session's
    row, one removed meanwhile, a tampered count) as new and then leaves it out of the save,
    so the page would say "saved" over a change that was never made.
    """

    def clean(self):
        super().clean()
        pk_name = self.model._meta.pk.name
        foreign = any(form.instance.pk is None for form in self.initial_forms) or any(
            getattr(form, "cleaned_data", {}).get(pk_name) is not None for form in self.extra_forms
        )
        if foreign:
            raise ValidationError(
                _(
                    "A row on this page belongs to another session or was removed meanwhile. Nothing was saved; "
                    "reload the page and enter your changes again."
                ),
                code="foreign_row",
            )


class ParticipantBaseFormSet(OwnRowsFormSetMixin, forms.BaseInlineFormSet):
    pass


# A conversation table seats a handful of people; the bound keeps a forged row count cheap.
MAX_PARTICIPANTS = 100

ParticipantFormSet = forms.inlineformset_factory(
    Session,
    Participant,
    form=ParticipantForm,
    formset=ParticipantBaseFormSet,
    extra=3,
    can_delete=True,
    max_num=MAX_PARTICIPANTS,
    validate_max=True,
    absolute_max=MAX_PARTICIPANTS,
)


class BlockAdjustForm(forms.ModelForm):
    class Meta:
        model = SessionBlock
        fields = ["order", "minutes", "skipped"]
        widgets = {
            "order": forms.NumberInput(attrs={"min": 1, "class": "form-control form-control-sm input-order"}),
            "minutes": forms.NumberInput(attrs={"min": 1, "class": "form-control form-control-sm input-minutes"}),
        }
        error_messages = {
            "minutes": {
                "min_value": _("A block needs at least 1 minute."),
                "max_value": _("A block can take at most %(limit_value)s minutes."),
            }
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Bounded here too, so the form refuses a number before the database column would.
        for name, top in (("order", MAX_SESSION_BLOCKS), ("minutes", MAX_BLOCK_MINUTES)):
            field = self.fields[name]
            field.min_value, field.max_value = 1, top
            bounds = (MinValueValidator, MaxValueValidator)
            field.validators = [v for v in field.validators if not isinstance(v, bounds)]
            field.validators += [MinValueValidator(1), MaxValueValidator(top)]
            field.widget.attrs.update(min=1, max=top)


class BlockAdjustBaseFormSet(OwnRowsFormSetMixin, forms.BaseModelFormSet):
    pass


# More blocks than any script has; the bound keeps a forged row count cheap.
MAX_SESSION_BLOCKS = 100

BlockAdjustFormSet = forms.modelformset_factory(
    SessionBlock,
    form=BlockAdjustForm,
    formset=BlockAdjustBaseFormSet,
    extra=0,
    max_num=MAX_SESSION_BLOCKS,
    validate_max=True,
    absolute_max=MAX_SESSION_BLOCKS,
)


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"),
        strip=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": _(
                "A note can be at most %(limit_value)d characters (this one has %(show_value)d). Your text is kept; shorten it or split it."
            ),
            "required": _("An empty note is not saved."),
        },
    )
    tag = forms.ChoiceField(
        label=_("Tag"),
        choices=NoteTag.choices,
        initial=NoteTag.HARVEST,
        error_messages={"invalid_choice": _("Choose one of the listed tags.")},
    )
    block = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages=dict.fromkeys(("required", "invalid"), _("Choose a block of this session.")),
    )
    question = forms.IntegerField(
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid": _("That question does not belong to the chosen block.")},
    )
    client_token = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def clean_text(self):
        text = self.cleaned_data["text"]
        if not text.strip():
            raise forms.ValidationError(self.fields["text"].error_messages["required"])
        return text


class NoteEditForm(forms.Form):
    text = NoteForm.base_fields["text"]
    tag = NoteForm.base_fields["tag"]
    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages=dict.fromkeys(
            ("required", "invalid", "min_value"),
            _("This editor is out of date. Reload the page and edit the note again."),
        ),
    )

    # The text keeps whitespace, so "required" alone would let an edit blank a note.
    clean_text = NoteForm.clean_text


class NotePointForm(forms.Form):
    """The attention point of the framework a note bears on, besides its question's links (or none)."""

    attention_point = forms.TypedChoiceField(
        label=_("Attention point"),
        required=False,
        coerce=int,
        empty_value=None,
        error_messages={"invalid_choice": _("Choose one of the listed attention points.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        phases = Phase.objects.prefetch_related("attention_points")
        self.fields["attention_point"].choices = [("", _("(none)"))] + [
            (str(phase), [(point.pk, f"{point.code} {point.title}") for point in phase.attention_points.all()])
            for phase in phases
        ]
        self.fields["attention_point"].widget.attrs["class"] = "form-select form-select-sm mb-1"


class AgreementForm(forms.ModelForm):
    class Meta:
        model = Agreement
        fields = ["who", "what", "when", "block"]
        widgets = {"what": forms.TextInput}

    def __init__(self, *args, session, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["block"].queryset = session.blocks.all()
        self.fields["block"].required = False
        self.fields["block"].empty_label = _("(no block)")
        self.helper = FormHelper()
        self.helper.form_tag = False


# The report


class ReportTextsForm(forms.ModelForm):
    class Meta:
        model = Report
        fields = ["summary", "closing_remark"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 4}), "closing_remark": forms.Textarea(attrs={"rows": 3})}
        # The script's own prompts never reach the report; what the session agreed is written here or as agreements.
        help_texts = {
            "summary": _(
                "What the session yielded, in a few sentences for readers who were not there. The report shows "
                "only what was noted or written here: the script's questions never appear as outcomes."
            ),
            "closing_remark": _(
                "The practical matters and follow-up agreed in the session, in your own words. Tasks with a "
                "who, what and when can go in the agreements instead (on the notes page)."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class ReportTimesForm(forms.Form):
    """Whether the report carries the planned and actual times; a choice of two, so anything else is refused."""

    include_times = forms.TypedChoiceField(
        label=_("Times appendix"),
        choices=[("0", _("Leave out (the report is about the harvest)")), ("1", _("Include, for the researchers"))],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        help_text=_("The planned and actual time per block and the adjustments made during the session."),
        error_messages={
            "required": _("Choose whether the report includes the times appendix."),
            "invalid_choice": _("Choose whether the report includes the times appendix."),
        },
    )

    def __init__(self, *args, report, **kwargs):
        kwargs.setdefault("initial", {"include_times": "1" if report.include_times else "0"})
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class SendReportForm(forms.Form):
    # Rendered by the template, grouped by role; the value is the address (one person, one address).
    recipients = forms.MultipleChoiceField(
        label=_("Recipients"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _(
                "One of the chosen recipients is not among this project's people. Reload the page and choose again."
            )
        },
    )
    extra_addresses = forms.CharField(
        label=_("Other addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One e-mail address per line."),
        max_length=20000,
    )
    subject = forms.CharField(
        label=_("Subject"), max_length=Delivery._meta.get_field("subject").max_length, validators=[validate_header_text]
    )
    message = forms.CharField(
        label=_("Message"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text=_(
            "Below your message, those who took part are thanked for taking part; everyone else reads that "
            "the report is sent to them for their information."
        ),
    )
    confirm_resend = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, groups, preselect=None, **kwargs):
        """`groups`: sessies.reports.recipient_groups(), whose checked groups are proposed when unbound.

        `preselect`: addresses (any case) to check instead, such as everyone who got an earlier version.
        """
        proposed = [c.email for group in groups if group.checked for c in group.people]
        if preselect is not None:
            wanted = {address.lower() for address in preselect}
            proposed = [c.email for group in groups for c in group.people if c.email.lower() in wanted]
        kwargs["initial"] = {"recipients": proposed, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        self.groups = [group for group in groups if group.people]
        self.candidates = {c.email: c for group in self.groups for c in group.people}
        self.by_address = {email.lower(): candidate for email, candidate in self.candidates.items()}
        self.fields["recipients"].choices = [(email, f"{c.name} <{email}>") for email, c in self.candidates.items()]
        self.helper = FormHelper()
        self.helper.form_tag = False
        # The recipients are drawn by the template, grouped by role.
        self.helper.layout = Layout("extra_addresses", "subject", "message", "confirm_resend")

    def recipient_rows(self):
        """[(group, [(candidate, checked)])] for the template: what is checked now (posted, or proposed)."""
        chosen = set(self["recipients"].value() or ())
        return [(group, [(c, c.email in chosen) for c in group.people]) for group in self.groups]

    def clean_extra_addresses(self):
        # Split on line breaks and commas only, so a line break can never end up inside an address.
        addresses, errors = [], []
        for line in self.cleaned_data["extra_addresses"].replace(",", "\n").splitlines():
            address = line.strip()
            if not address:
                continue
            try:
                validate_mail_address(address)
            except ValidationError as error:
                errors.append(error)
            addresses.append(address)
        if errors:
            raise ValidationError(errors)
        return addresses

    def recipient_list(self):
        """[Recipient] without duplicates; a typed address of someone proposed is that person."""
        chosen = [self.candidates[e].recipient for e in self.cleaned_data["recipients"]]
        for address in self.cleaned_data["extra_addresses"]:
            known = self.by_address.get(address.lower())
            chosen.append(Recipient(known.name if known else "", address, bool(known and known.took_part)))
        return unique_recipients(chosen)

    def clean(self):
        cleaned = super().clean()
        # Stored participant addresses are checked too: one that cannot be sent fails every retry.
        for email in cleaned.get("recipients", []):
            try:
                validate_mail_address(email)
            except ValidationError as error:
                self.add_error("recipients", error)
        if not self.errors and not self.recipient_list():
            raise ValidationError(_("Choose at least one recipient."))
        return cleaned


# Reviewing the draft report (sessies.review). Imports stay inside: this part was appended on its own.


class ReviewInviteForm(forms.Form):
    """Whom to invite to review the draft: the send page's people, grouped by role, those who took part checked.

    Whoever holds an open invitation is left out: sending theirs again renews it.
    """

    # Rendered by the template, grouped like the send page; the value is the address.
    recipients = forms.MultipleChoiceField(
        label=_("Whom to invite"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _(
                "One of the chosen people is not among this session's people, or is invited already. Reload the "
                "page and choose again."
            )
        },
    )

    def __init__(self, *args, groups, invited=(), **kwargs):
        """`groups`: sessies.reports.recipient_groups(); `invited`: the addresses with an open invitation."""
        invited = {address.lower() for address in invited}
        proposed = [c.email for group in groups if group.slug == "took_part" for c in group.people]
        kwargs["initial"] = {"recipients": proposed, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        self.rows_of = [(group, [c for c in group.people if c.email.lower() not in invited]) for group in groups]
        self.rows_of = [(group, people) for group, people in self.rows_of if people]
        self.candidates = {c.email: c for _group, people in self.rows_of for c in people}
        self.fields["recipients"].choices = [(email, f"{c.name} <{email}>") for email, c in self.candidates.items()]

    def recipient_rows(self):
        """[(group, [(candidate, checked)])] for the template: what is checked now (posted, or proposed)."""
        chosen = set(self["recipients"].value() or ())
        return [(group, [(c, c.email in chosen) for c in people]) for group, people in self.rows_of]

    def clean_recipients(self):
        chosen = self.cleaned_data["recipients"]
        if not chosen:
            raise ValidationError(_("Choose at least one person to invite."))
        # Stored addresses are checked too: one that cannot be sent would fail every time.
        errors = []
        for email in chosen:
            try:
                validate_mail_address(email)
            except ValidationError as error:
                errors.append(error)
        if errors:
            raise ValidationError(errors)
        return chosen

    def invitees(self):
        return [self.candidates[email] for email in self.cleaned_data["recipients"]]


class ReviewCommentForm(forms.Form):
    """A reviewer's comment on one section of the draft; plain text, escaped wherever it is shown."""

    section = forms.CharField(widget=forms.HiddenInput, max_length=40)
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Type your comment first.")},
    )

    def __init__(self, *args, section, **kwargs):
        """`section`: the sessies.review.Section commented on; its key makes the field's id unique on the page."""
        from django.core.validators import MaxLengthValidator

        from sessies.review import COMMENT_MAX_LENGTH

        kwargs.setdefault("auto_id", f"id_{section.key}_%s")
        kwargs.setdefault("initial", {"section": section.key})
        super().__init__(*args, **kwargs)
        text = self.fields["text"]
        text.label = _("Your comment on “%(title)s”") % {"title": section.title}
        text.max_length = COMMENT_MAX_LENGTH
        text.validators.append(MaxLengthValidator(COMMENT_MAX_LENGTH))
        text.widget.attrs["maxlength"] = str(COMMENT_MAX_LENGTH)
        self.helper = FormHelper()
        self.helper.form_tag = False


class ReviewResolveForm(forms.Form):
    """The secretary's answer to one comment: changed or not, with a short reply the reviewer sees."""

    resolution = forms.ChoiceField(
        label=_("Resolution"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose whether the report was changed."),
            "invalid_choice": _("Choose whether the report was changed."),
        },
    )
    reply = forms.CharField(
        label=_("Short reply (the reviewer sees it)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, comment, **kwargs):
        from crispy_forms.bootstrap import InlineRadios
        from django.core.validators import MaxLengthValidator
        from django.utils.text import capfirst

        from sessies.review import REPLY_MAX_LENGTH, RESOLUTIONS

        kwargs.setdefault("auto_id", f"id_comment{comment.pk}_%s")
        kwargs.setdefault("initial", {"resolution": comment.resolution or None, "reply": comment.reply})
        super().__init__(*args, **kwargs)
        self.fields["resolution"].choices = [(value, capfirst(value.label)) for value in RESOLUTIONS]
        reply = self.fields["reply"]
        reply.max_length = REPLY_MAX_LENGTH
        reply.validators.append(MaxLengthValidator(REPLY_MAX_LENGTH))
        reply.widget.attrs["maxlength"] = str(REPLY_MAX_LENGTH)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(InlineRadios("resolution"), "reply")
