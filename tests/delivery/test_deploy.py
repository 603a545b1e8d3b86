"""deploy/: the YAML is lint-clean, and the Kubernetes path agrees with the tested hub.

deploy/jupyterhub is what tests/delivery/test_hub.py runs end to end. deploy/kubernetes needs a
cluster, so these tests hold its settings to the tested ones: the course id, the two
groups, the roles, the grader service (name, account, framing policy, landing page),
the exchange path, nbgrader's global configuration, and PostgreSQL for the databases;
and they run the one piece that needs no cluster, nbgrader's gradebook in PostgreSQL.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from traitlets.config import Config

from conftest import COURSE, REPO, wait

HUB = REPO / "deploy" / "jupyterhub"
K8S = REPO / "deploy" / "kubernetes"
COURSE_ID = "cultural-capability"
EXCHANGE = "/srv/nbgrader/exchange"
COURSE_ROOT = f"/srv/nbgrader/{COURSE_ID}"
GRADER = f"grader-{COURSE_ID}"


def run_config(path: Path, text: str | None = None) -> Config:
    """Execute a traitlets configuration file (``c = get_config()`` ...) and return ``c``."""
    config = Config()
    code = compile(path.read_text("utf-8") if text is None else text, str(path), "exec")
    exec(code, {"get_config": lambda: config, "__file__": str(path)})
    return config


@pytest.fixture
def hub_config(monkeypatch: pytest.MonkeyPatch) -> Config:
    """deploy/jupyterhub/jupyterhub_config.py with no site settings (its defaults)."""
    for name in ("CCT_COURSE_ROOT", "CCT_GRADER_PORT", "CCT_HUB_BIND_URL", "CCT_HUB_DB_URL",
                 "CCT_HUB_ADMINS"):
        monkeypatch.delenv(name, raising=False)
    return run_config(HUB / "jupyterhub_config.py")


@pytest.fixture(scope="module")
def values() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((K8S / "values.yaml").read_text("utf-8"))
    return data


@pytest.fixture(scope="module")
def manifests() -> dict[tuple[str, str], dict[str, Any]]:
    """grader.yaml's resources by (kind, name)."""
    docs = yaml.safe_load_all((K8S / "grader.yaml").read_text("utf-8"))
    return {(d["kind"], d["metadata"]["name"]): d for d in docs if d}


def grader_service(config: Config) -> dict[str, Any]:
    (service,) = [s for s in config.JupyterHub.services if s["name"] == COURSE_ID]
    return dict(service)


def test_yaml_in_deploy_is_lint_clean() -> None:
    done = subprocess.run([sys.executable, "-m", "yamllint", "--strict", "-c",
                           str(REPO / ".yamllint"), "deploy", ".yamllint"], cwd=REPO,
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(p.name for p in K8S.glob("*.yaml")) == ["grader.yaml", "values.yaml"]


def test_tested_hub_serves_the_course_from_the_grader_account(hub_config: Config) -> None:
    service = grader_service(hub_config)
    assert service["user"] == GRADER
    assert service["cwd"] == COURSE_ROOT
    assert service["command"][0] == "jupyterhub-singleuser"
    assert service["command"][1] == f"--config={HUB / 'grader_server_config.py'}"
    assert set(hub_config.JupyterHub.load_groups) == {f"nbgrader-{COURSE_ID}",
                                                      f"formgrade-{COURSE_ID}"}


def test_kubernetes_has_the_tested_groups_roles_and_spawner(
        hub_config: Config, values: dict[str, Any]) -> None:
    hub = values["hub"]
    assert hub["config"]["JupyterHub"]["load_groups"] == hub_config.JupyterHub.load_groups
    roles = {r["name"]: {k: v for k, v in r.items() if k != "name"}
             for r in hub_config.JupyterHub.load_roles}
    assert hub["loadRoles"] == roles
    spawner = hub["config"]["KubeSpawner"]
    assert spawner["args"] == hub_config.Spawner.args
    assert spawner["server_token_scopes"] == hub_config.Spawner.server_token_scopes
    assert values["singleuser"]["defaultUrl"] == hub_config.Spawner.default_url
    assert (hub["config"]["Authenticator"]["allow_existing_users"]
            == hub_config.Authenticator.allow_existing_users)


def test_kubernetes_registers_the_tested_grader_service(
        hub_config: Config, values: dict[str, Any],
        manifests: dict[tuple[str, str], dict[str, Any]]) -> None:
    tested = grader_service(hub_config)
    (name, registered), = values["hub"]["services"].items()
    assert name == COURSE_ID
    for key in ("display", "oauth_no_confirm", "info"):
        assert registered[key] == tested[key], key
    # The hub reaches the grader Deployment through its Service.
    service = manifests[("Service", "cct-grader")]
    host_port = registered["url"].removeprefix("http://")
    assert host_port == f"{service['metadata']['name']}:{service['spec']['ports'][0]['port']}"
    deployment = manifests[("Deployment", "cct-grader")]
    pod = deployment["spec"]["template"]
    assert service["spec"]["selector"].items() <= pod["metadata"]["labels"].items()
    (container,) = pod["spec"]["containers"]
    env = {e["name"]: e.get("value", e.get("valueFrom")) for e in container["env"]}
    assert env["JUPYTERHUB_SERVICE_NAME"] == COURSE_ID
    assert env["JUPYTERHUB_SERVICE_PREFIX"] == f"/services/{COURSE_ID}/"
    assert env["JUPYTERHUB_CLIENT_ID"] == f"service-{COURSE_ID}"
    assert env["JUPYTERHUB_USER"] == tested["environment"]["JUPYTERHUB_USER"] == GRADER
    assert env["JUPYTERHUB_API_TOKEN"]["secretKeyRef"]["key"] == (
        f"hub.services.{COURSE_ID}.apiToken")
    assert env["JUPYTERHUB_SERVICE_URL"].endswith(":" + str(container["ports"][0][
        "containerPort"]))
    assert container["workingDir"] == tested["cwd"]
    assert container["command"][0] == tested["command"][0]
    assert pod["metadata"]["labels"]["hub.jupyter.org/network-access-hub"] == "true"


def test_kubernetes_grader_has_the_tested_server_and_nbgrader_settings(
        manifests: dict[tuple[str, str], dict[str, Any]], monkeypatch: pytest.MonkeyPatch
        ) -> None:
    files = manifests[("ConfigMap", "cct-grader-config")]["data"]
    tested = run_config(HUB / "grader_server_config.py")
    shipped = run_config(K8S / "grader.yaml", files["grader_server_config.py"])
    assert shipped.ServerApp == tested.ServerApp
    assert "frame-ancestors 'self'" in str(shipped.ServerApp.tornado_settings)

    monkeypatch.setenv("CCT_GRADEBOOK_URL", "postgresql+psycopg://grader@db/gradebook")
    global_tested = run_config(HUB / "nbgrader_config.py")
    grader = run_config(K8S / "grader.yaml", files["nbgrader_config.py"])
    assert grader.Exchange == global_tested.Exchange
    assert grader.Authenticator == global_tested.Authenticator
    assert grader.CourseDirectory.course_id == global_tested.CourseDirectory.course_id
    assert grader.CourseDirectory.db_url.startswith("postgresql")
    assert "student_id" not in grader.CourseDirectory  # would limit grading to one learner

    deployment = manifests[("Deployment", "cct-grader")]
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    mounts = {m["mountPath"]: m for m in container["volumeMounts"]}
    assert mounts[EXCHANGE]["subPath"] == "exchange"
    assert mounts[COURSE_ROOT]["subPath"] == COURSE_ID
    assert "/etc/jupyter/nbgrader_config.py" in mounts
    assert container["command"][1] == "--config=" + next(
        path for path, m in mounts.items() if m.get("subPath") == "grader_server_config.py")


def test_learners_pods_get_the_tested_exchange_and_nbgrader_config(
        values: dict[str, Any], manifests: dict[tuple[str, str], dict[str, Any]],
        monkeypatch: pytest.MonkeyPatch) -> None:
    tested = run_config(HUB / "nbgrader_config.py")
    assert tested.Exchange.root == EXCHANGE
    assert tested.Exchange.path_includes_course is True
    assert tested.CourseDirectory.course_id == COURSE_ID
    assert "student_id" not in tested.CourseDirectory

    singleuser = values["singleuser"]
    extra = singleuser["extraFiles"]["nbgrader-config"]
    assert extra["mountPath"] == "/etc/jupyter/nbgrader_config.py"
    monkeypatch.setenv("JUPYTERHUB_USER", "ada")
    pods = run_config(K8S / "values.yaml", extra["stringData"])
    assert pods.Exchange == tested.Exchange
    assert pods.Authenticator == tested.Authenticator
    assert pods.CourseDirectory.course_id == COURSE_ID
    assert pods.CourseDirectory.student_id == "ada"  # every pod is jovyan

    # The exchange is the shared RWX volume, the same folder of it as the grader's.
    (mount,) = singleuser["storage"]["extraVolumeMounts"]
    assert mount["mountPath"] == EXCHANGE
    (volume,) = [v for v in singleuser["storage"]["extraVolumes"]
                 if v["name"] == mount["name"]]
    claim = volume["persistentVolumeClaim"]["claimName"]
    pvc = manifests[("PersistentVolumeClaim", claim)]
    assert pvc["spec"]["accessModes"] == ["ReadWriteMany"]
    grader = manifests[("Deployment", "cct-grader")]["spec"]["template"]["spec"]
    (grader_volume,) = [v for v in grader["volumes"] if "persistentVolumeClaim" in v]
    assert grader_volume["persistentVolumeClaim"]["claimName"] == claim
    (container,) = grader["containers"]
    (grader_mount,) = [m for m in container["volumeMounts"] if m["mountPath"] == EXCHANGE]
    assert grader_mount["subPath"] == mount["subPath"]


def test_kubernetes_keeps_hub_gradebook_and_records_in_postgresql(
        values: dict[str, Any], manifests: dict[tuple[str, str], dict[str, Any]]) -> None:
    db = values["hub"]["db"]
    assert db["type"] == "postgres"
    assert db["url"].startswith("postgresql")
    assert "password" not in db  # passed at install time, never committed
    job = manifests[("CronJob", "cct-evidence-import")]["spec"]["jobTemplate"]["spec"]
    (container,) = job["template"]["spec"]["containers"]
    script = " ".join(container["command"])
    assert "competency evidence gradebook" in script
    assert '--db-url "$CCT_GRADEBOOK_URL"' in script
    assert '--store "$CCT_STORE_URL"' in script
    secrets = {e["name"]: e["valueFrom"]["secretKeyRef"] for e in container["env"]}
    assert {s["name"] for s in secrets.values()} == {"cct-databases"}


@pytest.mark.nbgrader
@pytest.mark.postgres
def test_gradebook_in_postgresql_grades_and_gives_evidence(
        new_database: Callable[[str], str], tmp_path: Path) -> None:
    """The Kubernetes setting, run here: nbgrader's gradebook in PostgreSQL, read by the
    evidence import (values.yaml and grader.yaml set CourseDirectory.db_url to it)."""
    url = new_database("postgresql")
    module = "01-equality-law"
    course = tmp_path / "course"
    course.mkdir()
    shutil.copy(COURSE / "nbgrader_config.py", course)
    shutil.copytree(COURSE / "source" / module, course / "source" / module)
    env = dict(os.environ, JUPYTER_PLATFORM_DIRS="1")

    def run(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", *args], cwd=course, env=env,
                              capture_output=True, text=True, timeout=wait(600), check=False)
        assert done.returncode == 0, f"{' '.join(args)}:\n{done.stderr[-3000:]}"
        return done.stdout

    db = f"--CourseDirectory.db_url={url}"
    run("nbgrader", "generate_assignment", module, db)
    submitted = course / "submitted" / "ada" / module
    shutil.copytree(course / "source" / module, submitted)  # every answer right
    (submitted / "timestamp.txt").write_text("2026-11-26 09:00:00.000000 UTC")
    run("nbgrader", "autograde", module, db)
    assert not (course / "gradebook.db").exists()
    out = run("competency.cli", "evidence", "gradebook", "--course", str(course),
              "--db-url", url, "--store", f"sqlite:///{tmp_path / 'evidence.db'}")
    # LAW-1 is all autograded; LAW-2 waits for the reflection to be graded by hand.
    assert "added 1," in out
    assert "pending 1 " in out
