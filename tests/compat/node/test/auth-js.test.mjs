// @auth0/auth0-auth-js, unchanged, against sesame over HTTPS.
//
// AuthClient runs OIDC discovery (/.well-known/openid-configuration) through
// openid-client, which checks the document's issuer against https://{domain}/
// and validates every id_token it receives (alg, iss, aud, exp, iat, sub,
// azp) before the SDK hands it over. The last test also turns on
// openid-client's non-repudiation checks, which verify the id_token's
// signature against the discovered jwks_uri.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { AuthClient } from '@auth0/auth0-auth-js';
import * as oidc from 'openid-client';

import {
  SCOPE,
  audience,
  clientId,
  clientSecret,
  domain,
  issuer,
  mailCount,
  smsCount,
  uniqueEmail,
  uniquePhone,
  waitForEmailCode,
  waitForSmsCode,
  wrongCode,
} from './helpers.mjs';

const PASSWORDLESS_OTP = 'http://auth0.com/oauth/grant-type/passwordless/otp';

function newClient() {
  return new AuthClient({ domain: domain(), clientId: clientId(), clientSecret: clientSecret() });
}

async function emailCode(authClient, email) {
  const seen = await mailCount(email);
  // No `send`: auth-js defaults to a code (Auth0's API defaults to a link).
  const sent = await authClient.passwordless.sendEmail({ email });
  assert.equal(sent, undefined);
  return waitForEmailCode(email, seen);
}

async function smsCode(authClient, phoneNumber) {
  const seen = await smsCount(phoneNumber);
  const sent = await authClient.passwordless.sendSms({ phoneNumber });
  assert.equal(sent, undefined);
  return waitForSmsCode(phoneNumber, seen);
}

function assertTokens(tokens) {
  assert.equal(typeof tokens.accessToken, 'string');
  assert.ok(tokens.accessToken.length > 0);
  assert.equal(typeof tokens.idToken, 'string');
  assert.equal(typeof tokens.refreshToken, 'string');
  assert.equal(tokens.tokenType.toLowerCase(), 'bearer');
  assert.ok(tokens.expiresAt > Date.now() / 1000);
  // claims come from openid-client's validated id_token
  assert.equal(tokens.claims.iss, issuer());
  assert.equal(tokens.claims.aud, clientId());
}

describe('@auth0/auth0-auth-js AuthClient', () => {
  test('getTokenByClientCredentials: the application\'s own token, with its client grant\'s scopes', async () => {
    const tokens = await newClient().getTokenByClientCredentials({ audience: audience() });
    assert.equal(typeof tokens.accessToken, 'string');
    assert.equal(tokens.idToken, undefined);
    assert.equal(tokens.refreshToken, undefined);
    assert.equal(tokens.scope, 'read:messages');
    const claims = JSON.parse(Buffer.from(tokens.accessToken.split('.')[1], 'base64url'));
    assert.equal(claims.sub, `${clientId()}@clients`);
    assert.equal(claims.gty, 'client-credentials');
    assert.equal(claims.iss, issuer());
  });

  test('OIDC discovery: getServerMetadata', async () => {
    const metadata = await newClient().getServerMetadata();
    assert.equal(metadata.issuer, issuer());
    assert.equal(metadata.token_endpoint, `${issuer()}oauth/token`);
    assert.equal(metadata.jwks_uri, `${issuer()}.well-known/jwks.json`);
  });

  test('passwordless.sendEmail + getTokenByPasswordlessEmail', async () => {
    const authClient = newClient();
    const email = uniqueEmail('authjs-email');
    const code = await emailCode(authClient, email);
    const tokens = await authClient.getTokenByPasswordlessEmail({
      email,
      code,
      audience: audience(),
      scope: SCOPE,
    });
    assertTokens(tokens);
    assert.equal(tokens.claims.email, email);
    assert.equal(tokens.claims.email_verified, true);
  });

  test('passwordless.sendSms + getTokenByPasswordlessSms', async () => {
    const authClient = newClient();
    const phoneNumber = uniquePhone();
    const code = await smsCode(authClient, phoneNumber);
    const tokens = await authClient.getTokenByPasswordlessSms({
      phoneNumber,
      code,
      audience: audience(),
      scope: SCOPE,
    });
    assertTokens(tokens);
    assert.equal(tokens.claims.phone_number, phoneNumber);
    assert.equal(tokens.claims.phone_verified, true);
  });

  test('getTokenByRefreshToken', async () => {
    const authClient = newClient();
    const email = uniqueEmail('authjs-refresh');
    const code = await emailCode(authClient, email);
    const first = await authClient.getTokenByPasswordlessEmail({
      email,
      code,
      audience: audience(),
      scope: SCOPE,
    });
    const refreshed = await authClient.getTokenByRefreshToken({ refreshToken: first.refreshToken });
    assert.equal(typeof refreshed.accessToken, 'string');
    assert.notEqual(refreshed.accessToken, first.accessToken);
    assert.equal(refreshed.claims.sub, first.claims.sub);
    assert.equal(refreshed.claims.iss, issuer());
    assert.equal(refreshed.claims.aud, clientId());
  });

  test('getTokenByPasswordlessEmail with a wrong code: PasswordlessVerifyError', async () => {
    const authClient = newClient();
    const email = uniqueEmail('authjs-wrong');
    const code = await emailCode(authClient, email);
    await assert.rejects(
      authClient.getTokenByPasswordlessEmail({ email, code: wrongCode(code), scope: SCOPE }),
      (err) => {
        assert.equal(err.name, 'PasswordlessVerifyError');
        assert.equal(err.statusCode, 403);
        assert.equal(err.cause.error, 'invalid_grant');
        assert.equal(err.cause.error_description, 'Wrong email or verification code.');
        return true;
      },
    );
  });

  test('openid-client with non-repudiation checks: id_token signature against the JWKS', async () => {
    const authClient = newClient();
    const email = uniqueEmail('authjs-jwks');
    const code = await emailCode(authClient, email);
    const config = await oidc.discovery(new URL(`https://${domain()}`), clientId(), clientSecret());
    oidc.enableNonRepudiationChecks(config);
    const response = await oidc.genericGrantRequest(config, PASSWORDLESS_OTP, {
      username: email,
      otp: code,
      realm: 'email',
      scope: SCOPE,
      audience: audience(),
    });
    const claims = response.claims();
    assert.equal(claims.iss, issuer());
    assert.equal(claims.email, email);
  });

  test('known difference: buildAuthorizationUrl points at /authorize, which is not served', async () => {
    const { authorizationUrl } = await newClient().buildAuthorizationUrl({
      authorizationParams: { redirect_uri: 'http://localhost:8080/callback', scope: 'openid' },
    });
    assert.equal(`${authorizationUrl.origin}${authorizationUrl.pathname}`, `${issuer()}authorize`);
    const response = await fetch(authorizationUrl, { redirect: 'manual' });
    assert.equal(response.status, 404);
  });
});
