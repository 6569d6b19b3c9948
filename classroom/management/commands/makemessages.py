"""Django's makemessages, also collecting the messages of `DomainError(code, message)`.

Services raise their refusals in English, the stable text of the protocol; a page shows them in the reader's language
through `DomainError.localized`. Marking the second argument here keeps every `raise` readable."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=DomainError:2"]
