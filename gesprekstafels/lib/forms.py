"""Form fields every app's forms share."""

from django import forms
from django.core.exceptions import ValidationError

from gesprekstafels.lib.http import parse_id


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """A multiple choice of objects by id that refuses non-ids before asking the database.

    Django checks each value with an exact lookup (which copes with any number) but then
    selects them all with `pk__in`, which SQLite answers with OverflowError for 2**63.
    """

    def clean(self, value):
        if not self.to_field_name and isinstance(value, (list, tuple)):
            for item in value:
                if parse_id(str(item)) is None:
                    raise ValidationError(
                        self.error_messages["invalid_choice"], code="invalid_choice", params={"value": item}
                    )
        return super().clean(value)
