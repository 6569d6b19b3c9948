import secrets

from classroom.models import CODE_ALPHABET


def random_code(length: int = 6) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def unique_code(model, field: str, length: int = 6) -> str:
    for _ in range(50):
        code = random_code(length)
        if not model.objects.filter(**{field: code}).exists():
            return code
    raise RuntimeError("could not find a free join code")  # pragma: no cover - 31^6 codes


def normalize_code(text: str) -> str:
    return "".join(text.split()).upper()
