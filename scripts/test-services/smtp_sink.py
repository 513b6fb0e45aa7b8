#!/usr/bin/env python3
"""SMTP sink for Sesame's tests: accepts every message and stores it on disk.

Each accepted message is written once per envelope recipient as

    <maildir>/<recipient, lower-cased>/<monotonic-ns>.eml    raw DATA bytes
    <maildir>/<recipient, lower-cased>/<monotonic-ns>.json   envelope sidecar

The .eml file holds the message exactly as the client sent it in DATA (after
SMTP dot-unstuffing, without the terminating "." line): no header is added,
no line ending is changed. Both files are written to a temporary name and
renamed into place, the .json first, so a reader that sees the .eml can read
its sidecar straight away. Files whose names start with "." are temporary.

Plain SMTP by default; STARTTLS (--tls-cert/--tls-key), implicit TLS
(--implicit-tls) and AUTH PLAIN/LOGIN (--auth-user plus a password from
--auth-password-file or $SMTP_SINK_AUTH_PASSWORD) are optional.

It logs one line at start-up and one per stored message, with sizes and
counts only: never addresses, credentials or message content.

Run by scripts/test-services/run; see docs/testing.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import hmac
import json
import logging
import os
import signal
import ssl
import sys
import time
import warnings
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

LOG = logging.getLogger("smtp_sink")

_last_ns = 0


def _unique_monotonic_ns() -> int:
    """A CLOCK_MONOTONIC timestamp in ns, strictly increasing within this process."""
    global _last_ns
    ns = max(time.monotonic_ns(), _last_ns + 1)
    _last_ns = ns
    return ns


def mailbox_dir_name(recipient: str) -> str:
    """The recipient as a single, safe directory name (lower-cased)."""
    name = recipient.lower().replace("/", "_").replace("\\", "_").replace("\0", "_")
    if name in ("", ".", ".."):
        name = "_" + name
    if name.startswith("."):
        name = "_" + name[1:]
    return name


def _atomic_write(directory: Path, name: str, data: bytes) -> None:
    tmp = directory / f".{name}.{os.getpid()}.tmp"
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
    os.replace(tmp, directory / name)


class MaildirHandler:
    def __init__(self, maildir: Path, offer_auth: bool) -> None:
        self.maildir = maildir
        self.offer_auth = offer_auth

    async def handle_EHLO(
        self, server: SMTP, session: Session, envelope: Envelope, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        if self.offer_auth:
            return responses
        # Without --auth-user, advertise no AUTH at all.
        return [r for r in responses if not r.startswith("250-AUTH")]

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw: bytes = envelope.original_content or b""
        ns = _unique_monotonic_ns()
        transport = server.transport
        tls = session.ssl is not None or (
            transport is not None and transport.get_extra_info("ssl_object") is not None
        )
        peer = session.peer
        auth_login = getattr(session, "login_data", None)
        if isinstance(auth_login, bytes):
            auth_login = auth_login.decode("utf-8", "replace")
        base: dict[str, Any] = {
            "mail_from": envelope.mail_from,
            "mail_options": list(envelope.mail_options),
            "rcpt_tos": list(envelope.rcpt_tos),
            "rcpt_options": list(envelope.rcpt_options),
            "helo": session.host_name,
            "peer": f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer),
            "tls": tls,
            "authenticated": bool(session.authenticated),
            "auth_login": auth_login,
            "received_at": datetime.datetime.now(datetime.timezone.utc).isoformat(),
            "monotonic_ns": ns,
            "size": len(raw),
        }
        try:
            for rcpt in envelope.rcpt_tos:
                box = self.maildir / mailbox_dir_name(rcpt)
                box.mkdir(parents=True, exist_ok=True)
                meta = dict(base, recipient=rcpt, eml=f"{ns}.eml")
                _atomic_write(box, f"{ns}.json", json.dumps(meta, indent=2).encode() + b"\n")
                _atomic_write(box, f"{ns}.eml", raw)
        except OSError as e:
            LOG.error("could not store message: %s", e.strerror)
            return "451 Requested action aborted: local error in processing"
        LOG.info("stored message of %d bytes for %d recipient(s)", len(raw), len(envelope.rcpt_tos))
        return "250 OK"


class Authenticator:
    def __init__(self, user: str, password: str) -> None:
        self.user = user.encode()
        self.password = password.encode()

    def __call__(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
    ) -> AuthResult:
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        ok = hmac.compare_digest(auth_data.login, self.user) & hmac.compare_digest(
            auth_data.password, self.password
        )
        if not ok:
            LOG.info("rejected AUTH %s attempt", mechanism)
            return AuthResult(success=False, handled=False)
        return AuthResult(success=True, auth_data=LoginPassword(auth_data.login, b""))


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=2525, help="0 picks a free port")
    p.add_argument("--maildir", required=True, type=Path)
    p.add_argument("--ready-file", type=Path, help="write the bound port here once listening")
    p.add_argument("--hostname", default="sesame-smtp-sink.test", help="name in the greeting")
    p.add_argument("--tls-cert", type=Path, help="PEM certificate: enables STARTTLS")
    p.add_argument("--tls-key", type=Path, help="PEM private key for --tls-cert")
    p.add_argument("--implicit-tls", action="store_true", help="TLS from the first byte (SMTPS) instead of STARTTLS")
    p.add_argument("--require-starttls", action="store_true", help="refuse mail before STARTTLS")
    p.add_argument("--auth-user", help="enable AUTH PLAIN/LOGIN for this user")
    p.add_argument(
        "--auth-password-file",
        type=Path,
        help="file holding the AUTH password (else $SMTP_SINK_AUTH_PASSWORD)",
    )
    p.add_argument("--auth-required", action="store_true", help="refuse mail before AUTH")
    p.add_argument("--auth-require-tls", action="store_true", help="offer AUTH only over TLS")
    args = p.parse_args(argv)
    if bool(args.tls_cert) != bool(args.tls_key):
        p.error("--tls-cert and --tls-key go together")
    if (args.implicit_tls or args.require_starttls) and not args.tls_cert:
        p.error("--implicit-tls/--require-starttls need --tls-cert and --tls-key")
    if (args.auth_required or args.auth_require_tls) and not args.auth_user:
        p.error("--auth-required/--auth-require-tls need --auth-user")
    return args


async def serve(args: argparse.Namespace) -> None:
    loop = asyncio.get_running_loop()
    args.maildir.mkdir(parents=True, exist_ok=True)
    handler = MaildirHandler(args.maildir.resolve(), offer_auth=bool(args.auth_user))

    tls_context = None
    if args.tls_cert:
        tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls_context.load_cert_chain(args.tls_cert, args.tls_key)

    authenticator = None
    if args.auth_user:
        if args.auth_password_file:
            password = args.auth_password_file.read_text().rstrip("\r\n")
        else:
            password = os.environ.get("SMTP_SINK_AUTH_PASSWORD", "")
        if not password:
            raise SystemExit("smtp_sink: --auth-user needs a password (--auth-password-file or $SMTP_SINK_AUTH_PASSWORD)")
        authenticator = Authenticator(args.auth_user, password)

    def factory() -> SMTP:
        return SMTP(
            handler,
            hostname=args.hostname,
            enable_SMTPUTF8=True,
            decode_data=False,
            tls_context=None if args.implicit_tls else tls_context,
            require_starttls=args.require_starttls and not args.implicit_tls,
            authenticator=authenticator,
            auth_required=args.auth_required,
            auth_require_tls=args.auth_require_tls,
            loop=loop,
        )

    server = await loop.create_server(
        factory,
        host=args.host,
        port=args.port,
        ssl=tls_context if args.implicit_tls else None,
        reuse_address=True,
    )
    port = server.sockets[0].getsockname()[1]
    if args.ready_file:
        tmp = args.ready_file.with_name(f".{args.ready_file.name}.tmp")
        tmp.write_text(f"{port}\n")
        os.replace(tmp, args.ready_file)
    mode = "implicit TLS" if args.implicit_tls else ("STARTTLS" if tls_context else "plain")
    LOG.info(
        "listening on %s:%d (%s%s), pid %d",
        args.host,
        port,
        mode,
        ", AUTH" if authenticator else "",
        os.getpid(),
    )

    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()
    await server.wait_closed()
    LOG.info("stopped")


def main() -> None:
    args = parse_args(sys.argv[1:])
    logging.basicConfig(level=logging.INFO, format="%(asctime)s smtp_sink: %(message)s")
    # aiosmtpd's own logger records SMTP commands and, at DEBUG, the DATA lines.
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    # --auth-required without --auth-require-tls is deliberate in a test sink.
    warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
