"""docker-compose.yml and the Dockerfile run the same platform as `xudong up` (xudong.stack).

No Docker engine is needed: the files are read and compared with the stack's own
definitions and with the environment variables the code reads."""

import dataclasses
import os
import re
import shlex
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

import eventbus.kafka
import eventbus.migrations
from eventbus.kafka import load_topics
from eventbus.settings import Settings
from web.config import WebSettings
from xudong.processes import ROOT, Process
from xudong.stack import PAGES, SERVICES, Ports, Stack

REPO = Path(__file__).resolve().parents[1]
ROLES = ("api", "relay", "worker")
SERVICE_CONTAINERS = [f"{service}-{role}" for service in SERVICES for role in ROLES] + [f"{PAGES}-api"]
APIS = (*SERVICES, PAGES)
LOOPBACK = "127.0.0.1"

# Which compose service publishes each port of xudong.stack.Ports on the host.
PUBLISHED_BY = {
    "postgres": "postgres",
    "kafka": "kafka",
    "stripe": "localstripe",
    "smtp": "maildev",
    "maildev_web": "maildev",
    **{service: f"{service}-api" for service in APIS},
}
# Ports of xudong.stack.Ports that stay inside their container.
UNPUBLISHED = {"kafka_controller"}
BROWSER_FACING = {  # reached by browsers on the host: the issuer as browsers and tokens name it
    "BOOKING_PUBLIC_URL",
    "XUDONG_OIDC_ISSUER",
    "IDENTITY_WEB_REDIRECT_URIS",
    "WEB_PUBLIC_URL",
    "WEB_STRIPE_JS_URL",
}


# --- reading the files ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((REPO / "docker-compose.yml").read_text())
    return document


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = compose["services"]
    return found


@pytest.fixture
def ports(monkeypatch: pytest.MonkeyPatch) -> Ports:
    """The stack's defaults: no port offset (`make test` sets one), no override of any kind."""
    for name in list(os.environ):
        if name in {"XUDONG_PORT_OFFSET", "XUDONG_GUNICORN_WORKERS"} or name.endswith("_PORT"):
            monkeypatch.delenv(name)
    return Ports()


@pytest.fixture
def described_stack(ports: Ports) -> Stack:
    """The stack on its default ports, only described: constructing a Stack starts nothing.

    Not conftest's `stack` fixture, which starts one."""
    return Stack(ports)


@pytest.fixture
def stack_env(described_stack: Stack) -> dict[str, str]:
    return described_stack.service_env()


@pytest.fixture
def processes(described_stack: Stack) -> dict[str, Process]:
    """Every process `xudong up` runs for the services, by name: venues-api, venues-relay, ..."""
    return {
        process.name: process for service in APIS for process in described_stack.service_processes(service)
    }


def environment(service: Mapping[str, Any]) -> dict[str, str]:
    """A compose service's environment, in either of its two spellings."""
    declared = service.get("environment") or {}
    if isinstance(declared, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in declared)
    return {name: "" if value is None else str(value) for name, value in declared.items()}


def published(service: Mapping[str, Any]) -> list[tuple[str, int, int]]:
    """(host address, host port, container port) of each port a compose service publishes."""
    found = []
    for port in service.get("ports", []):
        if isinstance(port, dict):
            found.append((port.get("host_ip", ""), int(port["published"]), int(port["target"])))
            continue
        parts = str(port).split("/")[0].rsplit(":", 2)
        if len(parts) == 3:
            found.append((parts[0], int(parts[1]), int(parts[2])))
        elif len(parts) == 2:
            found.append(("", int(parts[0]), int(parts[1])))
        else:
            found.append(("", 0, int(parts[0])))
    return found


def command(service: Mapping[str, Any]) -> list[str]:
    declared = service["command"]
    return shlex.split(declared) if isinstance(declared, str) else [str(arg) for arg in declared]


def option(argv: list[str], name: str) -> str:
    assert name in argv, f"{name} missing from {argv}"
    return argv[argv.index(name) + 1]


class _Reads(Mapping[str, str]):
    """An environment that answers every lookup with a placeholder and remembers the names asked."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def __getitem__(self, name: str) -> str:
        self.names.add(name)
        return "placeholder"

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def names_the_code_reads(stack_env: dict[str, str], processes: dict[str, Process]) -> set[str]:
    """What the stack hands the services' processes, and what their settings look up."""
    names = set(stack_env).union(*(process.env or {} for process in processes.values()))
    for service in SERVICES:
        reads = _Reads()
        Settings.from_env(service, reads)
        names |= reads.names
    reads = _Reads()
    WebSettings.from_env(reads)
    return names | reads.names


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile, continuation lines joined, comments dropped."""
    lines = [
        line for line in (REPO / "Dockerfile").read_text().splitlines() if not line.lstrip().startswith("#")
    ]
    joined = re.sub(r"\\\s*\n", " ", "\n".join(lines))
    instructions = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, arguments = line.strip().partition(" ")
            instructions.append((keyword.upper(), " ".join(arguments.split())))
    return instructions


def pip_installs() -> list[list[str]]:
    installs = []
    for keyword, arguments in dockerfile_instructions():
        if keyword == "RUN":
            for step in re.split(r"&&|;", arguments):
                argv = shlex.split(step)
                if argv[:2] == ["pip", "install"] or argv[:4] == ["python", "-m", "pip", "install"]:
                    installs.append(argv)
    return installs


# --- the containers of each service ----------------------------------------------------------
@pytest.mark.parametrize("service", SERVICES)
def test_each_service_runs_an_api_a_relay_and_a_worker_from_the_platform_image(
    services: dict[str, dict[str, Any]], service: str
) -> None:
    for role in ROLES:
        container = services.get(f"{service}-{role}")
        assert container is not None, f"no {service}-{role} in docker-compose.yml"
        assert container["build"]["context"] == "."
        assert container["build"].get("dockerfile", "Dockerfile") == "Dockerfile"
    assert command(services[f"{service}-relay"]) == ["python", "-m", f"{service}.relay"]
    assert command(services[f"{service}-worker"]) == ["python", "-m", f"{service}.worker"]


def test_each_service_container_runs_the_command_the_stack_runs_for_its_process(
    services: dict[str, dict[str, Any]], processes: dict[str, Process], described_stack: Stack
) -> None:
    assert set(processes) == set(SERVICE_CONTAINERS)
    for name, process in processes.items():
        # From the image's PATH instead of .venv/bin, and listening beyond the container's loopback.
        expected = [arg.removeprefix(f"{described_stack.venv_bin}/") for arg in process.argv]
        expected = [re.sub(rf"^{re.escape(LOOPBACK)}:", "0.0.0.0:", arg) for arg in expected]
        assert command(services[name]) == expected, name


@pytest.mark.parametrize("service", APIS)
def test_each_api_is_gunicorn_serving_the_service_app_on_all_interfaces_of_its_published_port(
    services: dict[str, dict[str, Any]], ports: Ports, service: str
) -> None:
    api = services[f"{service}-api"]
    argv = command(api)
    assert argv[0] == "gunicorn"
    assert argv[-1] == f"{service}:create_app()"
    assert option(argv, "-w") == "3"
    host, _, port = option(argv, "-b").rpartition(":")
    assert host == "0.0.0.0", "bound to loopback, the api would be unreachable from outside its container"
    assert (LOOPBACK, getattr(ports, service), int(port)) in published(api)


def test_localstripe_is_the_stacks_server_listening_on_every_interface_at_the_published_port(
    services: dict[str, dict[str, Any]], ports: Ports
) -> None:
    """The stack's own server (it answers idempotent requests as Stripe does; localstripe's
    command does not), on 0.0.0.0 so that the other containers reach it."""
    localstripe = services["localstripe"]
    argv = command(localstripe)
    assert argv[:2] == ["python", "infra/localstripe_server.py"] and option(argv, "--host") == "0.0.0.0"
    assert (LOOPBACK, ports.stripe, int(option(argv, "--port"))) in published(localstripe)


# --- ports -----------------------------------------------------------------------------------
def test_every_default_port_of_the_stack_is_published_on_loopback_by_its_component(
    services: dict[str, dict[str, Any]], ports: Ports
) -> None:
    for port in dataclasses.fields(ports):
        if port.name in UNPUBLISHED:
            continue
        assert port.name in PUBLISHED_BY, f"Ports.{port.name} is new: which compose service publishes it?"
        component = PUBLISHED_BY[port.name]
        on_host = [(address, host) for address, host, _ in published(services[component])]
        assert (LOOPBACK, getattr(ports, port.name)) in on_host, f"Ports.{port.name} on {component}"


def test_nothing_is_published_beyond_loopback(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        for address, host, container in published(service):
            assert address == LOOPBACK, f"{name} publishes {host}:{container} on every interface"


def test_the_kafka_controller_listens_on_the_stack_controller_port_inside_its_container(
    services: dict[str, dict[str, Any]], ports: Ports
) -> None:
    kafka = environment(services["kafka"])
    assert f"CONTROLLER://:{ports.kafka_controller}" in kafka["KAFKA_LISTENERS"].split(",")
    assert kafka["KAFKA_CONTROLLER_QUORUM_VOTERS"].endswith(f":{ports.kafka_controller}")
    assert all(container != ports.kafka_controller for _, _, container in published(services["kafka"]))


def test_kafka_advertises_the_address_each_side_reaches_it_by(
    services: dict[str, dict[str, Any]], stack_env: dict[str, str]
) -> None:
    kafka = environment(services["kafka"])
    advertised = dict(listener.split("://") for listener in kafka["KAFKA_ADVERTISED_LISTENERS"].split(","))
    listening = {
        name: int(address.rpartition(":")[2])
        for name, address in (listener.split("://") for listener in kafka["KAFKA_LISTENERS"].split(","))
    }
    containers = environment(services["venues-api"])["XUDONG_KAFKA_BOOTSTRAP"]
    host = stack_env["XUDONG_KAFKA_BOOTSTRAP"]
    assert containers in advertised.values()
    assert host in advertised.values(), "clients on the host would be sent to an unresolvable address"
    host_listener = next(name for name, address in advertised.items() if address == host)
    assert (LOOPBACK, int(host.rpartition(":")[2]), listening[host_listener]) in published(services["kafka"])


# --- environment -----------------------------------------------------------------------------
def test_service_containers_are_given_only_variables_the_code_reads(
    services: dict[str, dict[str, Any]], stack_env: dict[str, str], processes: dict[str, Process]
) -> None:
    known = names_the_code_reads(stack_env, processes)
    for name in [*SERVICE_CONTAINERS, "init"]:
        unknown = set(environment(services[name])) - known
        assert not unknown, f"{name} is given variables no code reads: {sorted(unknown)}"


def test_service_containers_are_given_every_variable_of_the_stack_service_env(
    services: dict[str, dict[str, Any]], stack_env: dict[str, str]
) -> None:
    for name in SERVICE_CONTAINERS:
        missing = set(stack_env) - set(environment(services[name]))
        assert not missing, f"{name} lacks {sorted(missing)}"


def test_each_service_container_is_given_every_variable_the_stack_gives_its_process(
    services: dict[str, dict[str, Any]], processes: dict[str, Process]
) -> None:
    for name, process in processes.items():
        missing = set(process.env or {}) - set(environment(services[name]))
        assert not missing, f"{name} lacks {sorted(missing)}"


def by_name(value: str, ports: Ports) -> str:
    """The value with each loopback address and port named by the container that publishes it."""
    publisher = {getattr(ports, name): container for name, container in PUBLISHED_BY.items()}
    return re.sub(
        rf"{re.escape(LOOPBACK)}:(\d+)", lambda m: f"{publisher.get(int(m[1]), LOOPBACK)}:{m[1]}", value
    )


def test_service_variables_point_where_the_stack_does_but_at_containers_by_name(
    services: dict[str, dict[str, Any]], stack_env: dict[str, str], ports: Ports
) -> None:
    given = environment(services["venues-api"])
    for name, value in stack_env.items():
        candidates = {value.replace(LOOPBACK, host) for host in services if host not in SERVICE_CONTAINERS}
        candidates.add(by_name(value, ports))  # one that names several: the identity's data holders
        if name in BROWSER_FACING:  # reached by buyers' browsers on the host, through the published port
            candidates = {value}
        assert given[name] in candidates, f"{name}={given[name]!r}, the stack has {value!r}"


def test_every_service_container_shares_the_values_of_the_service_env(
    services: dict[str, dict[str, Any]], stack_env: dict[str, str]
) -> None:
    first = environment(services[SERVICE_CONTAINERS[0]])
    for name in SERVICE_CONTAINERS[1:]:
        given = environment(services[name])
        differing = {key for key in stack_env if given.get(key) != first.get(key)}
        assert not differing, f"{name} differs from {SERVICE_CONTAINERS[0]} in {sorted(differing)}"


@pytest.mark.parametrize("service", APIS)
def test_each_api_adds_up_its_workers_metrics_in_a_directory_emptied_at_each_start(
    services: dict[str, dict[str, Any]], service: str
) -> None:
    api = services[f"{service}-api"]
    directory = environment(api).get("PROMETHEUS_MULTIPROC_DIR")
    assert directory, "without it, each gunicorn worker would report only its own metrics"
    mounts = [entry.split(":")[0] for entry in api.get("tmpfs", [])]
    assert directory in mounts, f"{directory} is no tmpfs: metrics of dead workers would pile up"


# --- start-up order --------------------------------------------------------------------------
def test_service_containers_start_only_once_the_init_has_succeeded(
    services: dict[str, dict[str, Any]],
) -> None:
    for name in SERVICE_CONTAINERS:
        depends = services[name].get("depends_on", {})
        assert depends.get("init", {}).get("condition") == "service_completed_successfully", name


def test_the_init_waits_for_healthy_kafka_postgres_localstripe_and_maildev(
    services: dict[str, dict[str, Any]],
) -> None:
    depends = services["init"]["depends_on"]
    for infrastructure in ("kafka", "postgres", "localstripe", "maildev"):
        assert depends.get(infrastructure, {}).get("condition") == "service_healthy", infrastructure


def test_every_dependency_awaited_as_healthy_has_a_healthcheck(services: dict[str, dict[str, Any]]) -> None:
    for name, service in services.items():
        depends = service.get("depends_on", {})
        for dependency, how in depends.items() if isinstance(depends, dict) else []:
            if how.get("condition") == "service_healthy":
                assert "healthcheck" in services[dependency], f"{name} waits on {dependency} forever"


# --- topics, migrations, databases -----------------------------------------------------------
def test_the_init_creates_the_declared_topics_and_migrates_every_service_database(
    services: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    init = services["init"]
    argv = command(init)
    assert argv[:2] == ["python", "-c"]
    topics_created: list[tuple[str, list[eventbus.kafka.TopicSpec]]] = []
    migrated: dict[Path, str] = {}
    monkeypatch.setattr(eventbus.kafka, "ensure_topics", lambda b, t: topics_created.append((b, t)))
    monkeypatch.setattr(eventbus.migrations, "upgrade", lambda d, url: migrated.update({d.resolve(): url}))
    given = environment(init)
    for name, value in given.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(ROOT)  # the image's working directory holds the repository

    exec(compile(argv[2], "<init>", "exec"), {})

    assert topics_created == [(given["XUDONG_KAFKA_BOOTSTRAP"], load_topics(ROOT / "infra" / "topics.toml"))]
    assert migrated == {
        ROOT / "services" / service: given[f"{service.upper()}_DATABASE_URL"] for service in SERVICES
    }
    for directory in migrated:
        assert (directory / "alembic.ini").is_file()
        assert (directory / "migrations" / "env.py").is_file()


def test_postgres_runs_the_init_script_creating_the_role_and_every_service_database(
    services: dict[str, dict[str, Any]],
) -> None:
    postgres = services["postgres"]
    mounts = [volume.split(":") for volume in postgres["volumes"]]
    script = next(
        REPO / source for source, target, *_ in mounts if target.startswith("/docker-entrypoint-initdb.d/")
    )
    sql = script.read_text()
    url = urlsplit(environment(services["venues-api"])["VENUES_DATABASE_URL"])
    assert re.search(rf"CREATE ROLE {url.username} LOGIN PASSWORD '{url.password}'", sql)
    sections = {
        section.split(maxsplit=1)[0]: section for section in re.split(r"^\\connect\s+", sql, flags=re.M)[1:]
    }
    for service in SERVICES:
        assert re.search(rf"CREATE DATABASE {service} OWNER {url.username};", sql), service
        assert "CREATE EXTENSION IF NOT EXISTS btree_gist" in sections.get(service, ""), service


# --- the image -------------------------------------------------------------------------------
def test_the_image_installs_requirements_and_every_package_of_the_repository_within_the_constraints() -> None:
    installs = pip_installs()
    assert installs, "the Dockerfile installs nothing with pip"
    for argv in installs:
        assert option(argv, "-c") == "constraints.txt", f"unpinned: {shlex.join(argv)}"
    installed = [arg for argv in installs for arg in argv]
    assert option(installed, "-r") == "requirements.txt"
    # The packages infra/bootstrap.sh installs into .venv.
    packages = {
        path.parent.relative_to(REPO).as_posix()
        for pattern in ("libs/*/pyproject.toml", "infra/pyproject.toml", "services/*/pyproject.toml")
        for path in REPO.glob(pattern)
    }
    assert len(packages) == len(APIS) + 2, sorted(packages)
    assert packages <= set(installed), f"not installed in the image: {sorted(packages - set(installed))}"


def test_the_image_has_constraints_txt_before_its_first_pip_install() -> None:
    copied: list[str] = []
    for keyword, arguments in dockerfile_instructions():
        if keyword == "COPY":
            copied += arguments.split()[:-1]
        elif keyword == "RUN" and "pip install" in arguments:
            assert "constraints.txt" in copied or "." in copied, "pip runs before constraints.txt is copied"
            return
    pytest.fail("the Dockerfile runs no pip install")


def test_the_image_is_python_3_11_slim_running_as_a_non_root_user() -> None:
    instructions = dockerfile_instructions()
    assert ("FROM", "python:3.11-slim") in instructions
    users = [arguments for keyword, arguments in instructions if keyword == "USER"]
    assert users, "no USER: the containers would run as root"
    assert users[-1].split(":")[0] not in {"root", "0"}


def test_the_image_working_directory_holds_the_repository() -> None:
    instructions = dockerfile_instructions()
    workdir = [arguments for keyword, arguments in instructions if keyword == "WORKDIR"][-1]
    copies = [arguments.split() for keyword, arguments in instructions if keyword == "COPY"]
    assert [".", "."] in copies or [".", workdir] in copies or [".", workdir + "/"] in copies


def test_the_build_context_leaves_out_the_local_virtualenv_and_git_history() -> None:
    ignored = {
        line.strip().rstrip("/")
        for line in (REPO / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".venv", ".git"} <= ignored
