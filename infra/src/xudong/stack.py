"""Starts, checks and stops every part of the platform on this machine, without Docker.

Used by `xudong up` and by the tests, which run the same stack on ports shifted by
XUDONG_PORT_OFFSET so that they never touch a platform a developer is running."""

import base64
import os
import re
import shutil
import subprocess
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import requests

from eventbus.devkey import development_token
from xudong.processes import ROOT, Process, StackError, ensure_free, port_open, wait_for

HOME = Path(os.environ.get("XUDONG_HOME", Path.home() / ".cache" / "xudong"))
SERVICES = ("identity", "venues", "booking", "notifications")  # each with its database, relay, worker
PAGES = "web"  # the web front: an API process alone, no database of its own
PG_BIN = Path("/usr/lib/postgresql/15/bin")
MAILDEV_VERSION = "2.2.1"
LOCAL_STRIPE_KEY = "sk_test_xudong_local"
LOCAL_WEBHOOK_SECRET = "whsec_xudong_local"


def kafka_cluster_id(draw: Callable[[], bytes] = lambda: uuid.uuid4().bytes) -> str:
    """A cluster id as Kafka's Uuid.randomUuid makes one: 16 random bytes in unpadded base64url,
    drawn again while it starts with '-', which the storage tool reads as an option (one id in 64
    did: `format -t -eVZu3QW…` failed a fresh-clone run)."""
    while True:
        found = base64.urlsafe_b64encode(draw()).decode().rstrip("=")
        if not found.startswith("-"):
            return found


def _port(env: str, default: int) -> int:
    return int(os.environ.get(env, default + int(os.environ.get("XUDONG_PORT_OFFSET", "0"))))


@dataclass(frozen=True)
class Ports:
    postgres: int = field(default_factory=lambda: _port("XUDONG_PG_PORT", 5432))
    kafka: int = field(default_factory=lambda: _port("XUDONG_KAFKA_PORT", 9092))
    kafka_controller: int = field(default_factory=lambda: _port("XUDONG_KAFKA_CONTROLLER_PORT", 9093))
    stripe: int = field(default_factory=lambda: _port("XUDONG_STRIPE_PORT", 8420))
    smtp: int = field(default_factory=lambda: _port("XUDONG_SMTP_PORT", 1025))
    maildev_web: int = field(default_factory=lambda: _port("XUDONG_MAILDEV_WEB_PORT", 1080))
    venues: int = field(default_factory=lambda: _port("VENUES_PORT", 8001))
    booking: int = field(default_factory=lambda: _port("BOOKING_PORT", 8002))
    notifications: int = field(default_factory=lambda: _port("NOTIFICATIONS_PORT", 8003))
    identity: int = field(default_factory=lambda: _port("IDENTITY_PORT", 8004))
    web: int = field(default_factory=lambda: _port("WEB_PORT", 8000))


class Stack:
    def __init__(self, ports: Ports | None = None) -> None:
        self.ports = ports or Ports()
        self.state = Path(os.environ.get("XUDONG_STATE_DIR", HOME / "state" / str(self.ports.postgres)))
        self.venv_bin = Path(sys.executable).parent

    # --- configuration every process of the platform reads -------------------------------
    def database_url(self, database: str) -> str:
        return f"postgresql+psycopg://xudong:xudong@127.0.0.1:{self.ports.postgres}/{database}"

    @property
    def issuer(self) -> str:
        """The OpenID Connect provider the services trust: this stack's identity service."""
        return f"http://127.0.0.1:{self.ports.identity}"

    def token(self, role: str, sub: str, venues: tuple[str, ...] = ()) -> str:
        """A local token, signed with the development key this stack's identity service publishes."""
        return development_token(self.issuer, role, sub, venues)

    @property
    def kafka_bootstrap(self) -> str:
        return f"127.0.0.1:{self.ports.kafka}"

    def service_env(self) -> dict[str, str]:
        env = {f"{s.upper()}_DATABASE_URL": self.database_url(s) for s in SERVICES}
        env.update(
            XUDONG_KAFKA_BOOTSTRAP=self.kafka_bootstrap,
            XUDONG_ENV="development",  # the local platform: development secrets are allowed
            XUDONG_OIDC_ISSUER=self.issuer,
            IDENTITY_WEB_REDIRECT_URIS=f"{self.web_url}/auth/callback {self.web_url}/signed-out",
            IDENTITY_DATA_HOLDERS=" ".join(
                f"{s}=http://127.0.0.1:{getattr(self.ports, s)}" for s in SERVICES if s != "identity"
            ),
            BOOKING_STRIPE_API_BASE=f"http://127.0.0.1:{self.ports.stripe}",
            BOOKING_STRIPE_API_KEY=LOCAL_STRIPE_KEY,
            BOOKING_STRIPE_WEBHOOK_SECRET=LOCAL_WEBHOOK_SECRET,
            BOOKING_PUBLIC_URL=f"http://127.0.0.1:{self.ports.booking}",
            NOTIFICATIONS_SMTP_HOST="127.0.0.1",
            NOTIFICATIONS_SMTP_PORT=str(self.ports.smtp),
            WEB_PUBLIC_URL=self.web_url,
            WEB_STRIPE_JS_URL=f"http://127.0.0.1:{self.ports.stripe}/js.stripe.com/v3/",
            WEB_IDENTITY_URL=self.issuer,
            **{f"WEB_{s.upper()}_URL": f"http://127.0.0.1:{getattr(self.ports, s)}" for s in SERVICES[1:]},
        )
        return env

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.web}"

    # --- PostgreSQL -------------------------------------------------------------------------
    @property
    def pg_data(self) -> Path:
        # The server refuses to run as root: as root, its files belong to the postgres user.
        if os.geteuid() == 0:
            return Path("/var/lib/postgresql") / f"xudong-{self.ports.postgres}"
        return self.state / "pgdata"

    def _as_postgres(self, argv: list[str]) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv

    def _postgres_running(self) -> bool:
        status = [str(PG_BIN / "pg_ctl"), "-D", str(self.pg_data), "status"]
        return (self.pg_data / "PG_VERSION").exists() and subprocess.run(
            self._as_postgres(status), capture_output=True
        ).returncode == 0

    def start_postgres(self) -> None:
        if self._postgres_running():
            self._create_databases()
            return
        ensure_free(self.ports.postgres, "PostgreSQL")
        data = self.pg_data
        if not (data / "PG_VERSION").exists():
            data.mkdir(parents=True, exist_ok=True)
            if os.geteuid() == 0:
                shutil.chown(data, "postgres", "postgres")
            subprocess.run(
                self._as_postgres(
                    [
                        str(PG_BIN / "initdb"),
                        "-D",
                        str(data),
                        "-U",
                        "postgres",
                        "--auth=trust",
                        "-E",
                        "UTF8",
                        "--locale=C.UTF-8",
                    ]
                ),
                check=True,
                capture_output=True,
            )
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.ports.postgres} -k {data} "
            "-c max_connections=300 -c shared_buffers=256MB -c synchronous_commit=on"
        )
        subprocess.run(
            self._as_postgres(
                [
                    str(PG_BIN / "pg_ctl"),
                    "-D",
                    str(data),
                    "-l",
                    str(data / "server.log"),
                    "-w",
                    "-t",
                    "60",
                    "-o",
                    options,
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
        )
        self._create_databases()

    def stop_postgres(self, mode: str = "fast") -> None:
        """A server that has not stopped after 30 s is stopped at once, as a crash would; one that
        is still running after that is an error, with what pg_ctl said."""
        said = b""
        for how in (mode, "immediate"):
            if not self._postgres_running():
                return
            said = subprocess.run(
                self._as_postgres(
                    [str(PG_BIN / "pg_ctl"), "-D", str(self.pg_data), "-m", how, "-w", "-t", "30", "stop"]
                ),
                capture_output=True,
            ).stderr
        if self._postgres_running():
            raise RuntimeError(f"PostgreSQL did not stop: {said.decode(errors='replace').strip()}")

    def postgres_pid(self) -> int | None:
        """The postmaster's process id, from its pid file, while one runs."""
        pid_file = self.pg_data / "postmaster.pid"
        if not self._postgres_running() or not pid_file.exists():
            return None
        return int(pid_file.read_text().split()[0])

    def psql(self, sql: str, database: str = "postgres") -> str:
        out = subprocess.run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.ports.postgres),
                "-U",
                "postgres",
                "-d",
                database,
                "-v",
                "ON_ERROR_STOP=1",
                "-tA",
                "-c",
                sql,
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        return out.stdout.strip()

    def create_database(self, name: str) -> None:
        if not self.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'"):
            self.psql(f"CREATE DATABASE {name} OWNER xudong")
        self.psql("CREATE EXTENSION IF NOT EXISTS btree_gist", database=name)

    def _create_databases(self) -> None:
        if not self.psql("SELECT 1 FROM pg_roles WHERE rolname = 'xudong'"):
            self.psql("CREATE ROLE xudong LOGIN PASSWORD 'xudong' CREATEDB")
        for service in SERVICES:
            self.create_database(service)

    # --- Apache Kafka -----------------------------------------------------------------------
    def kafka_process(self) -> Process:
        pom = (ROOT / "infra" / "kafka" / "pom.xml").read_text()
        version = re.search(r"<artifactId>kafka_2.13</artifactId><version>([^<]+)<", pom)
        libs = HOME / f"kafka-{version[1] if version else '?'}" / "libs"
        if not (libs / ".complete").exists():
            raise StackError(f"no Kafka jars under {HOME}: run `make bootstrap` first")
        return Process(
            "kafka",
            [
                "java",
                "-Xms256m",
                "-Xmx1g",
                "-cp",
                f"{libs}/*",
                f"-Dlog4j.configuration=file:{ROOT}/infra/kafka/log4j.properties",
                "kafka.Kafka",
                str(self.state / "kafka" / "server.properties"),
            ],
            self.state,
            port=self.ports.kafka,
        )

    def start_kafka(self) -> None:
        kafka = self.kafka_process()
        if kafka.pid() and port_open(self.ports.kafka):
            return
        ensure_free(self.ports.kafka_controller, "the Kafka controller")
        directory, data = self.state / "kafka", self.state / "kafka" / "data"
        directory.mkdir(parents=True, exist_ok=True)
        properties = directory / "server.properties"
        template = (ROOT / "infra" / "kafka" / "server.properties.template").read_text()
        properties.write_text(
            template.format(port=self.ports.kafka, controller_port=self.ports.kafka_controller, data_dir=data)
        )
        if not (data / "meta.properties").exists():
            subprocess.run(
                [
                    *kafka.argv[:-2],
                    "kafka.tools.StorageTool",
                    "format",
                    "--ignore-formatted",
                    "-t",
                    kafka_cluster_id(),
                    "-c",
                    str(properties),
                ],
                check=True,
                capture_output=True,
            )
        kafka.start()
        wait_for(lambda: port_open(self.ports.kafka), "Kafka", timeout=90)

    # --- localstripe and MailDev -----------------------------------------------------------
    def stripe_process(self) -> Process:
        return Process(
            "localstripe",
            [
                str(self.venv_bin / "python"),
                str(ROOT / "infra" / "localstripe_server.py"),
                "--port",
                str(self.ports.stripe),
            ],
            self.state,
            port=self.ports.stripe,
        )

    @property
    def mail_directory(self) -> Path:
        """Where MailDev keeps what it received, so that a restarted MailDev still shows it."""
        return self.state / "maildev"

    def maildev_process(self) -> Process:
        maildev = HOME / f"maildev-{MAILDEV_VERSION}" / "node_modules" / ".bin" / "maildev"
        return Process(
            "maildev",
            [
                str(maildev),
                "--smtp",
                str(self.ports.smtp),
                "--web",
                str(self.ports.maildev_web),
                "--ip",
                "127.0.0.1",
                "--web-ip",
                "127.0.0.1",
                "--mail-directory",
                str(self.mail_directory),
                "--silent",
            ],
            self.state,
            port=self.ports.smtp,
        )

    # --- the services -----------------------------------------------------------------------
    def service_processes(self, service: str) -> list[Process]:
        env = self.service_env()
        # gunicorn's workers add up their metrics in files here, emptied at each start
        metrics = self.state / "metrics" / service
        api_env = {**env, "PROMETHEUS_MULTIPROC_DIR": str(metrics)}
        if service == PAGES:  # the sessions, shared by the web front's workers
            api_env["WEB_SESSION_DIR"] = str(self.state / "web-sessions")
        port = getattr(self.ports, service)
        workers = os.environ.get("XUDONG_GUNICORN_WORKERS", "3")
        python = str(self.venv_bin / "python")
        api = [
            Process(
                f"{service}-api",
                [
                    str(self.venv_bin / "gunicorn"),
                    "-c",
                    "python:eventbus.gunicorn_conf",
                    "-b",
                    f"127.0.0.1:{port}",
                    "-w",
                    workers,
                    f"{service}:create_app()",
                ],
                self.state,
                api_env,
                port,
            )
        ]
        if service == PAGES:
            return api
        return [
            *api,
            Process(f"{service}-relay", [python, "-m", f"{service}.relay"], self.state, env),
            Process(f"{service}-worker", [python, "-m", f"{service}.worker"], self.state, env),
        ]

    def process(self, name: str) -> Process:
        """One process of the platform by its name: `kafka`, `maildev`, `localstripe`, or a
        service's `<service>-api`, `<service>-relay`, `<service>-worker`."""
        every = [self.kafka_process(), self.maildev_process(), self.stripe_process()]
        every += [p for service in (*SERVICES, PAGES) for p in self.service_processes(service)]
        return next(p for p in every if p.name == name)

    def service_ready(self, service: str) -> bool:
        try:
            port = getattr(self.ports, service)
            return requests.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    # --- the whole -------------------------------------------------------------------------
    def start_infrastructure(self) -> None:
        """PostgreSQL, Kafka with its topics, localstripe, MailDev; databases migrated."""
        from eventbus.kafka import ensure_topics, load_topics
        from eventbus.migrations import upgrade

        self.start_postgres()
        self.start_kafka()
        if not self.maildev_process().pid():
            shutil.rmtree(self.mail_directory, ignore_errors=True)  # each platform starts with no mail
        for process, port in (
            (self.stripe_process(), self.ports.stripe),
            (self.maildev_process(), self.ports.maildev_web),
        ):
            if not (process.pid() and port_open(port)):
                process.start()
                wait_for(lambda port=port: port_open(port), process.name)  # type: ignore[misc]
        ensure_topics(self.kafka_bootstrap, load_topics(ROOT / "infra" / "topics.toml"))
        for service in SERVICES:
            upgrade(ROOT / "services" / service, self.database_url(service))

    def start_services(self) -> None:
        for service in (*SERVICES, PAGES):
            shutil.rmtree(self.state / "metrics" / service, ignore_errors=True)
            (self.state / "metrics" / service).mkdir(parents=True)
            for process in self.service_processes(service):
                process.start()
        for service in (*SERVICES, PAGES):
            wait_for(lambda service=service: self.service_ready(service), f"the {service} service")  # type: ignore[misc]
        self.register_stripe_webhook()

    def register_stripe_webhook(self) -> None:
        """localstripe signs its webhooks with our secret and sends them to the booking service."""
        requests.post(
            f"http://127.0.0.1:{self.ports.stripe}/_config/webhooks/booking",
            data={
                "url": f"http://127.0.0.1:{self.ports.booking}/v1/stripe/webhook",
                "secret": LOCAL_WEBHOOK_SECRET,
            },
            timeout=10,
        ).raise_for_status()

    def stop_services(self) -> None:
        for service in (PAGES, *SERVICES):
            for process in self.service_processes(service):
                process.stop()

    def stop_all(self) -> None:
        self.stop_services()
        self.maildev_process().stop()
        self.stripe_process().stop()
        self.kafka_process().stop(timeout=30)
        self.stop_postgres()
