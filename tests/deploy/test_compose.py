"""docker-compose.yml, the Dockerfile and .env.example agree with each other and with the code."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from config.healthcheck import LIVENESS
from tests.services.harness import worker_command

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
# Variables the app reads that are not configuration: the settings module and the test suite's switches.
NOT_CONFIGURATION = {"DJANGO_SETTINGS_MODULE", "QUIZCAST_TEST_SERVICES", "CI"}


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def env_example_variables() -> set[str]:
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^([A-Z][A-Z0-9_]*)=", text, flags=re.MULTILINE))


def variables_the_code_reads() -> set[str]:
    found = set()
    for path in [*(ROOT / "config" / "settings").glob("*.py"), ROOT / "config" / "serve.py"]:
        text = path.read_text()
        found |= set(re.findall(r"\benv(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\"", text))
        found |= set(re.findall(r"os\.environ\.get\(\s*\"([A-Z][A-Z0-9_]*)\"", text))
    return found - NOT_CONFIGURATION


def test_the_web_service_runs_the_worker_command_the_multi_worker_tests_run(compose):
    assert compose["services"]["web"]["command"] == worker_command(python="python", host="0.0.0.0", port=8000)


def test_the_image_runs_the_same_worker_command_by_default():
    cmd = [line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("CMD ")]
    assert [json.loads(line[4:]) for line in cmd] == [worker_command(python="python", host="0.0.0.0", port=8000)]


def test_workers_start_after_a_healthy_database_and_a_completed_migration(compose):
    web = compose["services"]["web"]
    assert web["depends_on"] == {
        "postgres": {"condition": "service_healthy"},
        "redis": {"condition": "service_started"},
        "migrate": {"condition": "service_completed_successfully"},
    }
    assert web["healthcheck"]["test"] == [
        "CMD", "python", "-m", "config.healthcheck", "--port", "8000", "--path", LIVENESS,
    ]  # fmt: skip
    assert "ports" not in web, "only the proxy publishes a port; `--scale web=N` needs none"
    assert "collectstatic" in " ".join(compose["services"]["migrate"]["command"])


def waits_for_healthy(compose: dict, service: str) -> set[str]:
    """The services that must be healthy (or done) before `service` starts, directly or through the services it
    waits for. A service merely started is not waited on past its start."""
    found: set[str] = set()
    for name, dependency in (compose["services"][service].get("depends_on") or {}).items():
        if dependency.get("condition") in ("service_healthy", "service_completed_successfully"):
            found |= {name} | waits_for_healthy(compose, name)
    return found


def test_the_proxy_starts_whatever_redis_does_at_boot(compose):
    """Only the web workers' liveness stands between them and the proxy, and it asks nothing of Redis."""
    assert "redis" not in waits_for_healthy(compose, "proxy")
    assert "web" in waits_for_healthy(compose, "proxy")
    assert LIVENESS in compose["services"]["web"]["healthcheck"]["test"]


def test_the_proxy_serves_the_static_files_the_migration_collects(compose):
    static_volume = "static:/app/staticfiles"
    assert static_volume in compose["services"]["migrate"]["volumes"]
    assert any(volume.startswith("static:/srv/quizcast/static") for volume in compose["services"]["proxy"]["volumes"])
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    assert "alias /srv/quizcast/static/;" in nginx
    assert "proxy_set_header Upgrade $http_upgrade;" in nginx


def test_env_example_names_every_variable_the_code_and_the_compose_file_read():
    compose_variables = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", COMPOSE.read_text()))
    missing = (variables_the_code_reads() | compose_variables) - env_example_variables()
    assert not missing, f".env.example lacks {sorted(missing)}"


def test_the_compose_file_is_valid_for_docker_compose_and_the_compose_specification():
    docker_compose = shutil.which("docker-compose")
    check_jsonschema = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
    if docker_compose is None or check_jsonschema is None:
        pytest.skip("needs docker-compose (apt-get install docker-compose) and check-jsonschema (the test extra)")
    required = {"SECRET_KEY": "check", "ALLOWED_HOSTS": "check", "POSTGRES_PASSWORD": "check", "PATH": ""}
    compose = subprocess.run(
        [docker_compose, "--env-file", ".env.example", "-f", "docker-compose.yml", "config", "-q"],
        cwd=ROOT,
        env=required,
        capture_output=True,
        text=True,
        check=False,
    )
    assert compose.returncode == 0, compose.stderr
    schema = subprocess.run(
        [check_jsonschema, "--builtin-schema", "vendor.compose-spec", "docker-compose.yml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert schema.returncode == 0, schema.stdout + schema.stderr


def nginx_location(path: str) -> str:
    nginx = (ROOT / "deploy" / "nginx.conf").read_text()
    start = nginx.index(f"location {path} {{")
    return nginx[start : nginx.index("\n        }", start)]


def test_the_proxy_serves_question_images_with_the_headers_and_types_the_app_uses():
    from config.media import CACHE_SECONDS, IMAGE_TYPES

    media = nginx_location("/media/")
    assert "alias /srv/quizcast/media/;" in media
    assert "autoindex off;" in media
    assert "add_header X-Content-Type-Options nosniff always;" in media
    assert f'add_header Cache-Control "public, max-age={CACHE_SECONDS}";' in media
    assert "default_type application/octet-stream;" in media
    assert "add_header Content-Disposition $media_disposition;" in media
    types = media[media.index("types {") : media.index("}", media.index("types {"))]
    served = {
        f".{extension}": content_type
        for content_type, *extensions in (line.strip().rstrip(";").split() for line in types.splitlines()[1:-1])
        for extension in extensions
    }
    assert served == IMAGE_TYPES
