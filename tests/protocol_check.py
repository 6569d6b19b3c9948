"""Reads docs/protocol.md and checks server frames against it: a documented type, documented fields only,
documented error codes."""

import re
from functools import cache
from pathlib import Path

DOCUMENT = Path(__file__).resolve().parent.parent / "docs" / "protocol.md"


def _section(text: str, heading: str) -> str:
    start = text.index(heading)
    following = re.search(r"^## ", text[start + len(heading) :], flags=re.MULTILINE)
    return text[start : start + len(heading) + following.start()] if following else text[start:]


def _table_rows(section: str) -> list[list[str]]:
    rows = []
    for line in section.splitlines():
        if line.startswith("| `"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return rows


@cache
def server_messages() -> dict[str, set[str]]:
    text = DOCUMENT.read_text()
    documented = {}
    for cells in _table_rows(_section(text, "## Server → client")):
        message_type = cells[0].strip("`")
        documented[message_type] = set(re.findall(r"`([a-z_]+)`", cells[2]))
    return documented


@cache
def client_messages() -> dict[str, set[str]]:
    text = DOCUMENT.read_text()
    documented = {}
    client_section = _section(text, "## Client → server").split("### Answer shapes")[0]
    for cells in _table_rows(client_section):
        fields = {name.rstrip("?") for name in re.findall(r"`([a-z_]+\??)`", cells[2])}
        documented[cells[0].strip("`")] = fields
    return documented


@cache
def error_codes() -> set[str]:
    return {cells[0].strip("`") for cells in _table_rows(_section(DOCUMENT.read_text(), "## Errors"))}


def check_server_frame(frame: dict) -> None:
    assert isinstance(frame, dict), f"a frame must be an object: {frame!r}"
    message_type = frame.get("type")
    documented = server_messages()
    assert message_type in documented, f"undocumented server message type {message_type!r}"
    extra = set(frame) - {"type"} - documented[message_type]
    assert not extra, f"{message_type} has undocumented fields {sorted(extra)}"
    if message_type == "error":
        assert frame["code"] in error_codes(), f"undocumented error code {frame['code']!r}"
