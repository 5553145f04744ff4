"""The labels of a field's choices, built once per field rather than at every lookup.

Django's `get_FOO_display()` rebuilds the table of all a field's choices at each call, hashing
every lazily translated label on the way (which translates it): 0.24 ms for a member's relation to
the head (GB/T 4761, 84 codes), several times on every household page and search. The labels stay
lazy here, so each is shown in the language of the request that shows it.
"""

from django.utils.choices import CallableChoiceIterator
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable

_LABELS: dict = {}


def choice_labels(field) -> dict:
    """{stored value: label} of a model field with choices, as `get_FOO_display()` reads them."""
    labels = _LABELS.get(field)
    if labels is None:
        labels = dict(make_hashable(field.flatchoices))
        if not isinstance(field.choices, CallableChoiceIterator):  # choices computed anew each time
            _LABELS[field] = labels
    return labels


class ChoiceLabels:
    """A model's `get_FOO_display()` through `choice_labels` (first among the model's bases)."""

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        return force_str(choice_labels(field).get(make_hashable(value), value), strings_only=True)
