"""The question editor's server side: the first error summarised at the top of the form, with a link to its field.

The rest of the editor (fields by type, drag-and-drop order) is static/js/question-editor.js and
static/js/inline-order.js; the form works without them.
"""

from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class FirstError:
    label: str
    message: str
    anchor: str


def _form_first_error(form, label_prefix: str = "") -> FirstError | None:
    for name, errors in form.errors.items():
        if not errors:
            continue
        if name == NON_FIELD_ERRORS or name not in form.fields:
            return FirstError(label_prefix.rstrip(": ") or _("Question"), errors[0], "")
        label = f"{label_prefix}{form.fields[name].label}"
        return FirstError(label, errors[0], form[name].auto_id)
    return None


def first_error(*, form, inline_formsets) -> FirstError | None:
    """The first error on the page, in the order a teacher reads it: the question's fields, then each inline's
    errors about the whole set, then its rows."""
    if form.errors:
        found = _form_first_error(form)
        if found is not None:
            return found if found.anchor else FirstError(found.label, found.message, "content-main")
    for inline in inline_formsets:
        formset = inline.formset
        group = f"{formset.prefix}-group"
        names = formset.model._meta
        if formset.non_form_errors():
            return FirstError(str(names.verbose_name_plural).capitalize(), formset.non_form_errors()[0], group)
        for number, row in enumerate(formset.forms, start=1):
            prefix = _("%(name)s %(number)d, ") % {"name": str(names.verbose_name).capitalize(), "number": number}
            found = _form_first_error(row, prefix)
            if found is not None:
                return found if found.anchor else FirstError(found.label, found.message, group)
    return None
