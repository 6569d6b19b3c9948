"""Python run in a process of its own, from the project's directory, as a worker or a command would be."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_python(*arguments: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """`python <arguments>` with this interpreter and `env`; its output as text, whatever its exit status."""
    return subprocess.run(
        [sys.executable, *arguments], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
