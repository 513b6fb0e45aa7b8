"""auth0-python 6.8's generated Management API client (`ManagementClient`),
unchanged, against sesame over HTTPS: it gets its own token by
client_credentials, finds a user who logged in (by email and by a search),
reads them, lists their log events (a success and a wrong code), blocks
them and deletes them."""

from __future__ import annotations

import pytest
from auth0.authentication import GetToken, Passwordless
from auth0.management import ManagementClient

from conftest import ClientApp, env, mail_count, unique_email, wait_for_email_code

SCOPE = "openid profile email offline_access"


@pytest.fixture
def https(monkeypatch: pytest.MonkeyPatch) -> str:
    """The HTTPS server's domain; both HTTP stacks trust the test CA."""
    ca = env("COMPAT_CA_FILE")
    monkeypatch.setenv("SSL_CERT_FILE", ca)  # httpx (the management client)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", ca)  # requests (authentication)
    return env("COMPAT_HTTPS_DOMAIN")


def login(domain: str, app: ClientApp, email: str, wrong: bool = False) -> None:
    passwordless = Passwordless(domain, app.client_id, app.client_secret)
    token = GetToken(domain, app.client_id, app.client_secret)
    seen = mail_count(email)
    passwordless.email(email, send="code")
    code = wait_for_email_code(email, seen)
    if wrong:
        code = "111111" if code == "000000" else "000000"
    token.passwordless_login(
        username=email, otp=code, realm="email", scope=SCOPE, audience=env("COMPAT_AUDIENCE")
    )


def test_management_client_users_and_logs(https: str, confidential_app: ClientApp) -> None:
    mgmt = ManagementClient(
        domain=https,
        client_id=confidential_app.client_id,
        client_secret=confidential_app.client_secret,
    )
    email = unique_email("py-mgmt")
    login(https, confidential_app, email)

    found = mgmt.users.list_users_by_email(email=email.upper())
    assert len(found) == 1
    user_id = found[0].user_id
    assert user_id.startswith("email|")
    user = mgmt.users.get(user_id)
    assert (user.email, user.logins_count, user.blocked) == (email, 1, False)
    page = mgmt.users.list(q=f'email:"{email}"', search_engine="v3")
    assert [u.user_id for u in page.items] == [user_id]

    with pytest.raises(Exception) as wrong:
        login(https, confidential_app, email, wrong=True)
    assert "verification code" in str(wrong.value)
    # Events are stored in the background: ask until both are there.
    search = f'type:(s OR fepotpft) AND user_id:"{user_id}"'
    types: list[str] = []
    for _ in range(200):
        logs = mgmt.logs.list(search=search, sort="date:1", per_page=10)
        types = [log.type for log in logs.items or []]
        if "fepotpft" in types:
            break
    assert types == ["s", "fepotpft"]
    assert all(email not in repr(log) for log in logs.items or [])

    assert mgmt.stats.get_active_users_count() >= 1

    updated = mgmt.users.update(user_id, blocked=True)
    assert updated.blocked is True
    mgmt.users.delete(user_id)
    with pytest.raises(Exception) as gone:
        mgmt.users.get(user_id)
    assert getattr(gone.value, "status_code", None) == 404
