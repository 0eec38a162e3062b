"""Small helpers shared by the front-end forms and list pages of every app."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError


def apply_validation_error(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: per field where the field exists, else on the form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@dataclass
class FacetOption:
    """One value of a list page's facet, with how many items it would leave."""

    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Facet:
    name: str
    label: str
    options: list[FacetOption]

    @property
    def selected(self) -> FacetOption | None:
        return next((o for o in self.options if o.selected), None)
