"""Every setting's default is written once: what config/settings/base.py falls back to is what .env.example sets and
what the README's and docs/operations.md's tables say, and figures quoted in prose (the pool's wait, close codes)
are the ones in the code."""

import ast
import operator
import re
from pathlib import Path

import pytest
from django.conf import settings

from realtime import protocol

ROOT = Path(__file__).resolve().parents[2]
BASE_SETTINGS = ROOT / "config" / "settings" / "base.py"
README = ROOT / "README.md"
OPERATIONS = ROOT / "docs" / "operations.md"
ENV_EXAMPLE = ROOT / ".env.example"

# .env.example shows what a deployment sets, not the bare default, for these: each says why in its comment there.
EXAMPLE_VALUES = {
    "ALLOWED_HOSTS",  # a host name to replace
    "CSRF_TRUSTED_ORIGINS",  # the same, behind TLS
    "DATABASE_URL",  # PostgreSQL instead of the SQLite file
    "DATABASE_POOL_SIZE",  # the pool the benchmark recommends (docs/performance.md)
    "REDIS_URL",  # several workers need Redis
    "MEDIA_ROOT",  # the compose volume
}
_ARITHMETIC = {ast.Mult: operator.mul, ast.Add: operator.add, ast.Sub: operator.sub}


class NotALiteral(Exception):
    pass


def _value(node: ast.expr) -> object:
    """A default written as a literal or plain arithmetic on literals (2 * 1024 * 1024)."""
    if isinstance(node, ast.BinOp) and type(node.op) in _ARITHMETIC:
        return _ARITHMETIC[type(node.op)](_value(node.left), _value(node.right))
    try:
        return ast.literal_eval(node)
    except ValueError:
        raise NotALiteral from None


def code_defaults() -> dict[str, object]:
    """Each environment variable base.py reads with a literal default, and that default."""
    defaults: dict[str, object] = {}
    for node in ast.walk(ast.parse(BASE_SETTINGS.read_text())):
        if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)):
            continue
        function = node.func
        reads_env = (isinstance(function, ast.Name) and function.id == "env") or (
            isinstance(function, ast.Attribute) and isinstance(function.value, ast.Name) and function.value.id == "env"
        )
        default = next((keyword.value for keyword in node.keywords if keyword.arg == "default"), None)
        if reads_env and default is not None:
            try:
                defaults[node.args[0].value] = _value(default)
            except NotALiteral:
                defaults[node.args[0].value] = NotALiteral
    return defaults


def as_written(value: object) -> str:
    """A default as .env.example and the tables write it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def table_defaults(path: Path) -> dict[str, str | None]:
    """The `| variable | default | meaning |` rows of a document: each variable's default when the cell is one value
    (`4096`, `0` (off), empty), else None (a cell that explains, such as `true` in make dev, `false` in production)."""
    rows: dict[str, str | None] = {}
    for line in path.read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[0].startswith("`"):
            continue
        names = re.findall(r"`([A-Z][A-Z0-9_]*)`", cells[0])
        values = re.findall(r"`([^`]*)`", cells[1])
        if re.fullmatch(r"`[^`]*`(, `[^`]*`)*( \(.*\))?", cells[1]) and len(values) == len(names):
            rows.update(zip(names, values, strict=True))
        elif re.fullmatch(r"empty( \(.*\))?", cells[1]) and len(names) == 1:
            rows[names[0]] = ""
        else:
            rows.update(dict.fromkeys(names))
    return rows


def env_example() -> dict[str, str]:
    return dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", ENV_EXAMPLE.read_text(), flags=re.MULTILINE))


def prose(path: Path) -> str:
    return re.sub(r"\s+", " ", path.read_text())


@pytest.mark.parametrize("document", [README, OPERATIONS], ids=lambda path: path.name)
def test_the_tables_give_the_defaults_the_code_falls_back_to(document):
    defaults = code_defaults()
    wrong = {
        name: (written, as_written(defaults[name]))
        for name, written in table_defaults(document).items()
        if written is not None and defaults.get(name, NotALiteral) is not NotALiteral
        if written != as_written(defaults[name])
    }
    assert not wrong, f"{document.name} says (table, code): {wrong}"


def test_the_readme_table_names_every_setting_read_from_the_environment():
    missing = set(code_defaults()) - set(table_defaults(README))
    assert not missing, f"README.md's configuration table lacks {sorted(missing)}"


def test_env_example_sets_the_defaults_unless_it_shows_a_deployment_value():
    example = env_example()
    defaults = code_defaults()
    wrong = {
        name: (value, as_written(defaults[name]))
        for name, value in example.items()
        if name not in EXAMPLE_VALUES and defaults.get(name, NotALiteral) is not NotALiteral
        if value != as_written(defaults[name])
    }
    assert not wrong, f".env.example sets (example, code default): {wrong}"
    assert set(example) >= EXAMPLE_VALUES, "a deployment value names a variable .env.example no longer sets"


def test_the_pool_wait_quoted_in_the_docs_is_the_one_configured():
    documents = (README, OPERATIONS, ENV_EXAMPLE)
    waits = {path.name: re.findall(r"waits up to (\d+(?:\.\d+)?) s", prose(path)) for path in documents}
    assert all(waits.values()), f"each document states the pool's wait: {waits}"
    assert {figure for figures in waits.values() for figure in figures} == {str(settings.DATABASE_POOL_TIMEOUT)}


def test_every_application_close_code_named_in_code_or_docs_is_one_the_protocol_defines():
    defined = {value for name, value in vars(protocol).items() if name.startswith("CLOSE_")}
    sources = [*(ROOT / "realtime").glob("*.py"), *(ROOT / "static" / "js").glob("*.js"), ROOT / "docs" / "protocol.md"]
    sources += [ROOT / "docs" / "architecture.md"]
    # Quizcast's own codes are 44xx, after HTTP's (4401 unauthenticated, 4403 forbidden...).
    named = {
        (path.relative_to(ROOT).as_posix(), int(code))
        for path in sources
        for code in re.findall(r"(?<![\d.])(44\d\d)(?![\d.])", path.read_text())
    }
    unknown = sorted((path, code) for path, code in named if code not in defined)
    assert not unknown, f"close codes the protocol does not define: {unknown}"
    protocol_document = (ROOT / "docs" / "protocol.md").read_text()
    documented = {int(code) for code in re.findall(r"\b(4\d\d\d|10\d\d)\b", protocol_document)}
    assert defined <= documented, f"docs/protocol.md does not list {sorted(defined - documented)}"
