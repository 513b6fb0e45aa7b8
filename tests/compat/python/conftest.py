"""Shared helpers for the auth0-python suite: where the servers are, and how
to read the codes Sesame delivered (the SMTP sink's maildir, moto's SNS).

tests/compat/run starts the servers and exports the COMPAT_* variables; the
suite refuses to run without them rather than skip.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import secrets
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

WAIT_SECS = 15.0


def env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise RuntimeError(f"{name} is not set: run this suite through tests/compat/run")
    return value


@dataclass(frozen=True)
class Server:
    """One running `sesame`, reached as `protocol://domain/`."""

    domain: str
    protocol: str = "http"

    @property
    def issuer(self) -> str:
        return f"{self.protocol}://{self.domain}/"

    @property
    def jwks_url(self) -> str:
        return f"{self.issuer}.well-known/jwks.json"


@dataclass(frozen=True)
class ClientApp:
    """A registered application: confidential (with a secret) or public."""

    kind: str
    client_id: str
    client_secret: str | None


RUN_ID = secrets.token_hex(4)


def unique_email(label: str) -> str:
    """An address no other test (or earlier run) uses, so its mail is its own."""
    return f"py-{label}-{RUN_ID}-{secrets.token_hex(3)}@compat.test"


def unique_phone() -> str:
    """A fresh E.164 number in the +1 555 range."""
    return "+1555" + "".join(str(secrets.randbelow(10)) for _ in range(7))


def _maildir(address: str) -> Path:
    name = address.lower().replace("/", "_").replace("\\", "_")
    if name.startswith("."):
        name = "_" + name[1:]
    return Path(env("SESAME_TEST_MAILDIR")) / name


def _eml_files(address: str) -> list[Path]:
    d = _maildir(address)
    if not d.is_dir():
        return []
    return sorted(d.glob("*.eml"), key=lambda p: int(p.stem))


def mail_count(address: str) -> int:
    return len(_eml_files(address))


def code_from_eml(raw: bytes) -> str:
    """The one-time code in a message: the digits alone on a line of the
    text/plain part."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    part = msg.get_body(preferencelist=("plain",))
    assert part is not None, "the message has no text/plain part"
    text = part.get_content()
    found = re.findall(r"^\s*(\d{4,10})\s*$", text, flags=re.MULTILINE)
    assert found, f"no code in the message body:\n{text}"
    return found[0]


def wait_for_email_code(address: str, seen: int) -> str:
    """The code of the newest message to `address` once more than `seen`
    messages have arrived."""
    deadline = time.monotonic() + WAIT_SECS
    while True:
        files = _eml_files(address)
        if len(files) > seen:
            return code_from_eml(files[-1].read_bytes())
        if time.monotonic() > deadline:
            raise AssertionError(f"no new mail for {address} within {WAIT_SECS}s")
        time.sleep(0.05)


def _sms_for(phone: str) -> list[str]:
    url = env("SESAME_TEST_SNS_ENDPOINT").rstrip("/") + "/moto-api/data.json"
    with urllib.request.urlopen(url, timeout=5) as resp:  # noqa: S310 (local moto)
        data = json.load(resp)
    return [m["message"] for m in data.get("sns", {}).get("SMS", []) if m.get("phone_number") == phone]


def sms_count(phone: str) -> int:
    return len(_sms_for(phone))


def wait_for_sms_code(phone: str, seen: int) -> str:
    deadline = time.monotonic() + WAIT_SECS
    while True:
        messages = _sms_for(phone)
        if len(messages) > seen:
            found = re.findall(r"\b(\d{4,10})\b", messages[-1])
            assert found, f"no code in the SMS: {messages[-1]!r}"
            return found[0]
        if time.monotonic() > deadline:
            raise AssertionError(f"no new SMS for {phone} within {WAIT_SECS}s")
        time.sleep(0.1)


@pytest.fixture(scope="session")
def server() -> Server:
    """The main instance: default code lifetime and attempt limits."""
    return Server(env("COMPAT_HTTP_DOMAIN"))


@pytest.fixture(scope="session")
def short_ttl_server() -> Server:
    """A second instance whose codes expire after COMPAT_SHORT_TTL_SECS."""
    return Server(env("COMPAT_SHORT_TTL_DOMAIN"))


@pytest.fixture(scope="session")
def audience() -> str:
    return env("COMPAT_AUDIENCE")


@pytest.fixture(params=["confidential", "public"])
def app(request: pytest.FixtureRequest) -> ClientApp:
    """Every test runs twice: as a confidential (regular web) application
    with its secret, and as a public (native) one with none."""
    if request.param == "confidential":
        return ClientApp("confidential", env("COMPAT_CONF_CLIENT_ID"), env("COMPAT_CONF_CLIENT_SECRET"))
    return ClientApp("public", env("COMPAT_PUBLIC_CLIENT_ID"), None)
