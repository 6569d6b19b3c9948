"""What a view behind `login_required` may rely on, for the type checker."""

from django.http import HttpRequest

from accounts.models import User


class SignedInRequest(HttpRequest):
    """A request whose user signed in: `request.user` is a User, never AnonymousUser. Only an annotation: Django
    makes no such class; views that `login_required` (or that checked `is_authenticated`) take their request so."""

    user: User
