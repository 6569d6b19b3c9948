"""Requests to the Django admin that several test modules make."""

from django.urls import reverse


def autocomplete(client, app_label: str, model_name: str, field_name: str, term: str = ""):
    """The admin's autocomplete answer for one field, as a teacher's select box would ask for it."""
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": app_label, "model_name": model_name, "field_name": field_name, "term": term},
    )
    assert response.status_code == 200
    return response


def autocomplete_names(client, app_label: str, model_name: str, field_name: str, term: str = "") -> set[str]:
    response = autocomplete(client, app_label, model_name, field_name, term)
    return {result["text"] for result in response.json()["results"]}
