"""auth0-python, unchanged, against `sesame` over plain HTTP.

Each test is run for a confidential and a public client (see conftest.app).
The calls are exactly those an Auth0 app makes; only the domain differs.
"""

from __future__ import annotations

import os
import secrets
import time
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from auth0.authentication import GetToken, Passwordless
from auth0.authentication.token_verifier import AsymmetricSignatureVerifier, TokenVerifier
from auth0.authentication.exceptions import Auth0Error, RateLimitError

from conftest import (
    ClientApp,
    Server,
    confirm_form,
    mail_count,
    pkce_pair,
    sms_count,
    unique_email,
    unique_phone,
    wait_for_email_code,
    wait_for_email_link,
    wait_for_sms_code,
)

SCOPE = "openid profile email offline_access"

WRONG_EMAIL_CODE = "Wrong email or verification code."
WRONG_SMS_CODE = "Wrong phone number or verification code."
EXPIRED = "The verification code has expired. Please try to login again."
MAX_ATTEMPTS = "You've reached the maximum number of attempts. Please try to login again."
TOO_MANY_FAILURES = "Too many failed attempts. Please try again later."


def sdk(server: Server, app: ClientApp) -> tuple[Passwordless, GetToken]:
    return (
        Passwordless(server.domain, app.client_id, app.client_secret, protocol="http"),
        GetToken(server.domain, app.client_id, app.client_secret, protocol="http"),
    )


def verify_id_token(server: Server, app: ClientApp, id_token: str) -> dict:
    """The SDK's own OIDC verification: RS256 signature against the JWKS,
    iss, aud, exp, iat, sub."""
    verifier = TokenVerifier(
        signature_verifier=AsymmetricSignatureVerifier(server.jwks_url),
        issuer=server.issuer,
        audience=app.client_id,
    )
    return verifier.verify(id_token)


def email_code(server: Server, app: ClientApp, address: str) -> str:
    passwordless, _ = sdk(server, app)
    seen = mail_count(address)
    started = passwordless.email(address, send="code")
    assert started["email"] == address
    assert started["email_verified"] is False
    assert isinstance(started["_id"], str) and started["_id"]
    return wait_for_email_code(address, seen)


def sms_code(server: Server, app: ClientApp, phone: str) -> str:
    passwordless, _ = sdk(server, app)
    seen = sms_count(phone)
    started = passwordless.sms(phone)
    assert started["phone_number"] == phone
    assert started["phone_verified"] is False
    assert isinstance(started["_id"], str) and started["_id"]
    return wait_for_sms_code(phone, seen)


def assert_token_response(tokens: dict) -> None:
    assert isinstance(tokens["access_token"], str) and tokens["access_token"]
    assert isinstance(tokens["id_token"], str) and tokens["id_token"]
    assert isinstance(tokens["refresh_token"], str) and tokens["refresh_token"]
    assert tokens["token_type"] == "Bearer"
    assert isinstance(tokens["expires_in"], int) and tokens["expires_in"] > 0


def assert_auth0_error(err: Auth0Error, status: int, code: str, message: str) -> None:
    assert (err.status_code, err.error_code, err.message) == (status, code, message)


def test_email_code_flow(server: Server, app: ClientApp, audience: str) -> None:
    address = unique_email("email")
    code = email_code(server, app, address)
    _, token = sdk(server, app)
    tokens = token.passwordless_login(address, code, realm="email", scope=SCOPE, audience=audience)
    assert_token_response(tokens)
    claims = verify_id_token(server, app, tokens["id_token"])
    assert claims["email"] == address
    assert claims["email_verified"] is True


def test_sms_flow(server: Server, app: ClientApp, audience: str) -> None:
    phone = unique_phone()
    code = sms_code(server, app, phone)
    _, token = sdk(server, app)
    tokens = token.passwordless_login(phone, code, realm="sms", scope=SCOPE, audience=audience)
    assert_token_response(tokens)
    claims = verify_id_token(server, app, tokens["id_token"])
    assert claims["phone_number"] == phone
    assert claims["phone_verified"] is True


def test_refresh_token(server: Server, app: ClientApp, audience: str) -> None:
    address = unique_email("refresh")
    code = email_code(server, app, address)
    _, token = sdk(server, app)
    first = token.passwordless_login(address, code, realm="email", scope=SCOPE, audience=audience)
    first_claims = verify_id_token(server, app, first["id_token"])

    refreshed = token.refresh_token(first["refresh_token"])
    assert isinstance(refreshed["access_token"], str) and refreshed["access_token"]
    assert refreshed["access_token"] != first["access_token"]
    assert refreshed["token_type"] == "Bearer"
    assert isinstance(refreshed["expires_in"], int) and refreshed["expires_in"] > 0
    claims = verify_id_token(server, app, refreshed["id_token"])
    assert claims["sub"] == first_claims["sub"]


def test_wrong_email_code(server: Server, app: ClientApp, audience: str) -> None:
    address = unique_email("wrong")
    code = email_code(server, app, address)
    wrong = "000000" if code != "000000" else "111111"
    _, token = sdk(server, app)
    with pytest.raises(Auth0Error) as info:
        token.passwordless_login(address, wrong, realm="email", scope=SCOPE, audience=audience)
    assert_auth0_error(info.value, 403, "invalid_grant", WRONG_EMAIL_CODE)
    # One wrong guess leaves the code usable.
    tokens = token.passwordless_login(address, code, realm="email", scope=SCOPE, audience=audience)
    verify_id_token(server, app, tokens["id_token"])


def test_wrong_sms_code(server: Server, app: ClientApp, audience: str) -> None:
    phone = unique_phone()
    code = sms_code(server, app, phone)
    wrong = "000000" if code != "000000" else "111111"
    _, token = sdk(server, app)
    with pytest.raises(Auth0Error) as info:
        token.passwordless_login(phone, wrong, realm="sms", scope=SCOPE, audience=audience)
    assert_auth0_error(info.value, 403, "invalid_grant", WRONG_SMS_CODE)


def test_expired_code(short_ttl_server: Server, app: ClientApp, audience: str) -> None:
    address = unique_email("expired")
    code = email_code(short_ttl_server, app, address)
    time.sleep(int(os.environ["COMPAT_SHORT_TTL_SECS"]) + 1.5)
    _, token = sdk(short_ttl_server, app)
    with pytest.raises(Auth0Error) as info:
        token.passwordless_login(address, code, realm="email", scope=SCOPE, audience=audience)
    assert_auth0_error(info.value, 403, "invalid_grant", EXPIRED)


def test_too_many_attempts(server: Server, app: ClientApp, audience: str) -> None:
    """max_attempts = 3: two wrong guesses are plain wrong codes, the third
    uses up the code, and from then on even the right code is refused."""
    max_attempts = int(os.environ["COMPAT_MAX_ATTEMPTS"])
    address = unique_email("attempts")
    code = email_code(server, app, address)
    wrong = "000000" if code != "000000" else "111111"
    _, token = sdk(server, app)
    for _ in range(max_attempts - 1):
        with pytest.raises(Auth0Error) as info:
            token.passwordless_login(address, wrong, realm="email", scope=SCOPE, audience=audience)
        assert_auth0_error(info.value, 403, "invalid_grant", WRONG_EMAIL_CODE)
    with pytest.raises(Auth0Error) as info:
        token.passwordless_login(address, wrong, realm="email", scope=SCOPE, audience=audience)
    assert_auth0_error(info.value, 403, "invalid_grant", MAX_ATTEMPTS)
    with pytest.raises(Auth0Error) as info:
        token.passwordless_login(address, code, realm="email", scope=SCOPE, audience=audience)
    assert_auth0_error(info.value, 403, "invalid_grant", MAX_ATTEMPTS)


def test_too_many_failed_attempts_for_recipient(server: Server, app: ClientApp, audience: str) -> None:
    """Failures per recipient across codes (COMPAT_FAILURES_PER_RECIPIENT per
    15 minutes): the SDK raises its RateLimitError (429) with the reset time."""
    limit = int(os.environ["COMPAT_FAILURES_PER_RECIPIENT"])
    address = unique_email("lockout")
    _, token = sdk(server, app)
    failures = 0
    while failures < limit:
        code = email_code(server, app, address)
        wrong = "000000" if code != "000000" else "111111"
        for _ in range(int(os.environ["COMPAT_MAX_ATTEMPTS"])):
            if failures == limit:
                break
            with pytest.raises(Auth0Error) as info:
                token.passwordless_login(address, wrong, realm="email", scope=SCOPE, audience=audience)
            assert info.value.status_code == 403
            failures += 1
    with pytest.raises(RateLimitError) as info:
        token.passwordless_login(address, wrong, realm="email", scope=SCOPE, audience=audience)
    assert_auth0_error(info.value, 429, "too_many_attempts", TOO_MANY_FAILURES)
    assert info.value.reset_at > time.time()


# Magic links: Passwordless.email() defaults to send="link", as Auth0 does.
# The link opens a confirm page (GET spends nothing, so mail scanners cannot
# burn it); its form POSTs back and redirects to the app's callback with an
# authorization code, which the SDK exchanges with its PKCE verifier.

LINK_SCOPE = "openid email"
INVALID_CODE = "Invalid authorization code"


def start_link(server: Server, app: ClientApp, address: str, auth_params: dict | None) -> str:
    """Passwordless.email() with its default send="link"; returns the link
    that arrived in the SMTP sink."""
    passwordless, _ = sdk(server, app)
    seen = mail_count(address)
    started = passwordless.email(address, auth_params=auth_params)
    assert started["email"] == address
    assert started["email_verified"] is False
    link = wait_for_email_link(address, seen)
    assert link.startswith(f"{server.issuer}passwordless/verify_redirect?")
    return link


def follow_link(link: str) -> requests.Response:
    """What a browser does with the link: GET the confirm page, then submit
    its form with the cookie the page set. Neither request follows
    redirects."""
    # One session, as one browser: the page's GET sets the cookie its POST
    # must carry (the confirm page's login-CSRF check).
    browser = requests.Session()
    page = browser.get(link, allow_redirects=False, timeout=10)
    assert page.status_code == 200, page.status_code
    assert page.headers["Content-Type"].startswith("text/html")
    assert page.headers["Cache-Control"] == "no-store"
    action, method, fields = confirm_form(page.text)
    assert method == "post"
    assert set(fields) == {"client_id", "connection", "email", "verification_code"}
    return browser.post(urljoin(link, action), data=fields, allow_redirects=False, timeout=10)


def test_email_default_send_is_a_magic_link(server: Server, app: ClientApp) -> None:
    """Passwordless.email(address) without `send` or authParams asks for a
    link, and gets one, from a public client too, as at Auth0: without PKCE
    its code is bound to the callback, single-use and good for a minute."""
    address = unique_email("link")
    link = start_link(server, app, address, None)
    query = parse_qs(urlsplit(link).query)
    assert query["connection"] == ["email"]
    assert query["client_id"] == [app.client_id]
    assert query["email"] == [address]
    assert query["verification_code"][0]


def link_auth_params(app: ClientApp, callback: str, challenge: str, **extra: str) -> dict:
    """authParams for a link that lands on `callback`. A public app's link
    carries a PKCE challenge (the exchange is GetToken.authorization_code_pkce,
    which sends no secret). A confidential
    app's carries none: its exchange, GetToken.authorization_code,
    authenticates with the secret and sends no verifier."""
    params = {"redirect_uri": callback, "scope": LINK_SCOPE, **extra}
    if app.client_secret is None:
        params.update(code_challenge=challenge, code_challenge_method="S256")
    return params


def exchange(token: GetToken, app: ClientApp, code: str, verifier: str, callback: str) -> dict:
    """The code exchange an app of this kind makes."""
    if app.client_secret is None:
        return token.authorization_code_pkce(verifier, code, redirect_uri=callback)
    return token.authorization_code(code, callback)


def callback_code(answer: requests.Response, callback: str, state: str | None = None) -> str:
    """The code in the confirm POST's redirect to `callback`."""
    assert answer.status_code == 302, answer.status_code
    location = answer.headers["Location"]
    assert location.startswith(f"{callback}?")
    query = parse_qs(urlsplit(location).query)
    if state is not None:
        assert query["state"] == [state]
    return query["code"][0]


def test_magic_link_flow_with_the_authorization_code_grant(server: Server, app: ClientApp, callback: str) -> None:
    verifier, challenge = pkce_pair()
    state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    address = unique_email("link-flow")
    params = link_auth_params(app, callback, challenge, state=state, nonce=nonce)
    link = start_link(server, app, address, params)
    code = callback_code(follow_link(link), callback, state)

    _, token = sdk(server, app)
    tokens = exchange(token, app, code, verifier, callback)
    assert isinstance(tokens["access_token"], str) and tokens["access_token"]
    assert tokens["token_type"] == "Bearer"
    assert "refresh_token" not in tokens
    claims = TokenVerifier(
        signature_verifier=AsymmetricSignatureVerifier(server.jwks_url),
        issuer=server.issuer,
        audience=app.client_id,
    ).verify(tokens["id_token"], nonce=nonce)
    assert claims["email"] == address
    assert claims["email_verified"] is True

    # The link is spent, and the code is good once.
    again = requests.get(link, allow_redirects=False, timeout=10)
    assert again.status_code == 410
    assert "This link was already used" in again.text
    with pytest.raises(Auth0Error) as info:
        exchange(token, app, code, verifier, callback)
    assert_auth0_error(info.value, 403, "invalid_grant", INVALID_CODE)


def test_magic_link_code_with_a_wrong_verifier(server: Server, public_app: ClientApp, callback: str) -> None:
    verifier, challenge = pkce_pair()
    address = unique_email("link-pkce")
    link = start_link(server, public_app, address, link_auth_params(public_app, callback, challenge))
    code = callback_code(follow_link(link), callback)
    other, _ = pkce_pair()
    _, token = sdk(server, public_app)
    with pytest.raises(Auth0Error) as info:
        token.authorization_code_pkce(other, code, redirect_uri=callback)
    assert_auth0_error(info.value, 403, "invalid_grant", "Failed to verify code verifier")
    # A failed exchange spends the code too.
    with pytest.raises(Auth0Error) as info:
        token.authorization_code_pkce(verifier, code, redirect_uri=callback)
    assert_auth0_error(info.value, 403, "invalid_grant", INVALID_CODE)


def test_magic_link_code_of_a_confidential_app_needs_its_secret(
    server: Server, confidential_app: ClientApp, callback: str
) -> None:
    """GetToken.authorization_code_pkce sends no client_secret: a confidential
    app is refused as at Auth0 (401 access_denied), and the code survives for
    the authenticated exchange."""
    verifier, challenge = pkce_pair()
    address = unique_email("link-secret")
    link = start_link(server, confidential_app, address, link_auth_params(confidential_app, callback, challenge))
    code = callback_code(follow_link(link), callback)
    _, token = sdk(server, confidential_app)
    with pytest.raises(Auth0Error) as info:
        token.authorization_code_pkce(verifier, code, redirect_uri=callback)
    assert_auth0_error(info.value, 401, "access_denied", "Unauthorized")
    tokens = token.authorization_code(code, callback)
    verify_id_token(server, confidential_app, tokens["id_token"])


def _payload(jwt: str) -> dict:
    import base64
    import json

    body = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def test_client_credentials(server: Server, confidential_app: ClientApp, audience: str) -> None:
    """GetToken.client_credentials: the application's own token, with only
    the scopes of its client grant, for a configured API and for the
    built-in Management API."""
    _, token = sdk(server, confidential_app)
    got = token.client_credentials(audience)
    assert got["token_type"] == "Bearer"
    assert got["scope"] == "read:messages"
    assert "id_token" not in got and "refresh_token" not in got
    claims = _payload(got["access_token"])
    assert claims["sub"] == f"{confidential_app.client_id}@clients"
    assert claims["gty"] == "client-credentials"
    assert claims["aud"] == [audience]
    management = token.client_credentials(f"{server.issuer}api/v2/")
    assert management["scope"] == "read:users update:users delete:users delete:refresh_tokens read:logs read:stats"


def test_client_credentials_for_an_api_without_a_client_grant(
    server: Server, confidential_app: ClientApp
) -> None:
    _, token = sdk(server, confidential_app)
    with pytest.raises(Auth0Error) as e:
        token.client_credentials(f"{server.issuer}mfa/")
    assert e.value.status_code == 403
    assert e.value.error_code == "access_denied"
    assert "You need to create a client-grant associated to this API." in e.value.message
