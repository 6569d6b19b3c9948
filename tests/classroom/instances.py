"""Model instances as plain values, for comparing what two ways of reading the same rows built."""

from django.db.models import Model


def columns(instance: Model | None) -> dict | None:
    """Every concrete field's value of the instance, by attribute name; None for no instance."""
    if instance is None:
        return None
    return {field.attname: getattr(instance, field.attname) for field in type(instance)._meta.concrete_fields}
