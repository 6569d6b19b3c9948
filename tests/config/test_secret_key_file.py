"""`make run` writes a secret key of its own into .env on the first run and reuses it afterwards."""

import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from config.checks import secret_key_problem
from config.classroom import ENV_FILE, secret_key_ensure

ROOT = Path(__file__).resolve().parents[2]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_first_run_writes_a_strong_key_readable_by_its_owner_only(tmp_path):
    env_file = tmp_path / ".env"
    key = secret_key_ensure(env_file=env_file)
    assert env_file.read_text() == f"SECRET_KEY={key}\n"
    assert mode(env_file) == 0o600
    assert secret_key_problem(key) is None
    assert list(tmp_path.iterdir()) == [env_file], "nothing half-written is left beside it"


def test_the_second_run_reuses_the_key_and_leaves_the_file_alone(tmp_path):
    env_file = tmp_path / ".env"
    key = secret_key_ensure(env_file=env_file)
    written = env_file.read_bytes()
    assert secret_key_ensure(env_file=env_file) == key
    assert env_file.read_bytes() == written


def test_two_installs_get_different_keys(tmp_path):
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    assert secret_key_ensure(env_file=tmp_path / "one" / ".env") != secret_key_ensure(
        env_file=tmp_path / "two" / ".env"
    )


def test_an_empty_key_copied_from_env_example_is_filled_in_and_the_other_settings_kept(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("# my settings\nSECRET_KEY=\nTIME_ZONE=Europe/Paris\n")
    env_file.chmod(0o644)
    key = secret_key_ensure(env_file=env_file)
    assert env_file.read_text() == f"# my settings\nTIME_ZONE=Europe/Paris\nSECRET_KEY={key}\n"
    assert mode(env_file) == 0o600


@pytest.mark.parametrize("line", ["SECRET_KEY=chosen-by-the-operator", 'export SECRET_KEY="chosen-by-the-operator"'])
def test_a_key_already_in_the_file_is_never_replaced(tmp_path, line):
    env_file = tmp_path / ".env"
    env_file.write_text(f"{line}\n")
    assert secret_key_ensure(env_file=env_file) == "chosen-by-the-operator"
    assert env_file.read_text() == f"{line}\n"


def test_make_run_writes_the_env_file_beside_manage_py_and_git_ignores_it():
    assert ENV_FILE == ROOT / ".env"
    assert (ROOT / "manage.py").exists()
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: .gitignore cannot be asked")
    for name in [".env", ".env.partial"]:
        ignored = subprocess.run(["git", "check-ignore", "-q", name], cwd=ROOT, check=False)
        assert ignored.returncode == 0, f"{name} is not ignored by git"
    assert subprocess.run(["git", "check-ignore", "-q", ".env.example"], cwd=ROOT, check=False).returncode == 1
