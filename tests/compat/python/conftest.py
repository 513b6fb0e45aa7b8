"""Shared helpers for the auth0-python suite: where the servers are, and how
to read the codes and magic links Sesame delivered (the SMTP sink's maildir,
moto's SNS).

tests/compat/run starts the servers and exports the COMPAT_* variables; the
suite refuses to run without them rather than skip.
"""

from __future__ import annotations

import base64
import email
import email.policy
import hashlib
import json
import os
import re
import secrets
import time
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
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
    # Kept out of repr: pytest prints fixtures' reprs in failure reports.
    client_secret: str | None = field(repr=False)


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
    text = _plain_text(raw)
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


def _plain_text(raw: bytes) -> str:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    part = msg.get_body(preferencelist=("plain",))
    assert part is not None, "the message has no text/plain part"
    return part.get_content()


def link_from_eml(raw: bytes) -> str:
    """The magic link in a message: the first .../passwordless/verify_redirect
    URL of its text/plain part (quoted-printable already undone)."""
    text = _plain_text(raw)
    found = re.findall(r"https?://\S+/passwordless/verify_redirect\?\S+", text)
    assert found, "no magic link in the message's text part"
    return found[0]


def wait_for_email_link(address: str, seen: int) -> str:
    """The link of the newest message to `address` once more than `seen`
    messages have arrived."""
    deadline = time.monotonic() + WAIT_SECS
    while True:
        files = _eml_files(address)
        if len(files) > seen:
            return link_from_eml(files[-1].read_bytes())
        if time.monotonic() > deadline:
            raise AssertionError(f"no new mail for {address} within {WAIT_SECS}s")
        time.sleep(0.05)


def pkce_pair() -> tuple[str, str]:
    """A PKCE (RFC 7636) code_verifier and its S256 code_challenge."""
    verifier = secrets.token_urlsafe(32)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


class _ConfirmForm(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.method: str | None = None
        self.fields: dict[str, str] = {}
        self._inside = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("id") == "confirm":
            self.action, self.method, self._inside = a.get("action"), a.get("method"), True
        elif tag == "input" and self._inside and a.get("type") == "hidden":
            self.fields[a["name"]] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._inside = False


def confirm_form(html: str) -> tuple[str, str, dict[str, str]]:
    """The confirm page's `<form id="confirm">`: its action, method and hidden
    fields, as a browser would submit them."""
    parser = _ConfirmForm()
    parser.feed(html)
    assert parser.action is not None, "the page has no confirm form"
    return parser.action, (parser.method or "get").lower(), parser.fields


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


@pytest.fixture(scope="session")
def callback() -> str:
    """A callback URL both applications register: magic links land there.
    Nothing listens on it; the tests read the redirect's Location."""
    return env("COMPAT_CALLBACK")


def _confidential() -> ClientApp:
    return ClientApp("confidential", env("COMPAT_CONF_CLIENT_ID"), env("COMPAT_CONF_CLIENT_SECRET"))


def _public() -> ClientApp:
    return ClientApp("public", env("COMPAT_PUBLIC_CLIENT_ID"), None)


@pytest.fixture(params=["confidential", "public"])
def app(request: pytest.FixtureRequest) -> ClientApp:
    """Every test runs twice: as a confidential (regular web) application
    with its secret, and as a public (native) one with none."""
    return _confidential() if request.param == "confidential" else _public()


@pytest.fixture
def confidential_app() -> ClientApp:
    """The confidential application alone, for what only it does."""
    return _confidential()


@pytest.fixture
def public_app() -> ClientApp:
    """The public application alone, for what only it does."""
    return _public()
