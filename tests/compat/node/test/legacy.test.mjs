// The v4 AuthenticationClient that the `auth0` package still ships as
// `auth0/legacy`, unchanged, against sesame over HTTPS. Every grant it makes
// validates the id_token itself: RS256 signature against
// https://{domain}/.well-known/jwks.json, iss === https://{domain}/, aud,
// exp, iat, sub.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';

import { AuthenticationClient } from 'auth0/legacy';

import {
  SCOPE,
  audience,
  callback,
  clientId,
  clientSecret,
  confirmForm,
  domain,
  issuer,
  mailCount,
  pkcePair,
  smsCount,
  uniqueEmail,
  uniquePhone,
  waitForEmailCode,
  waitForEmailLink,
  waitForSmsCode,
  wrongCode,
} from './helpers.mjs';

function newClient() {
  return new AuthenticationClient({ domain: domain(), clientId: clientId(), clientSecret: clientSecret() });
}

async function emailCode(auth, email) {
  const seen = await mailCount(email);
  // `send: 'code'`: without it the request carries no `send`, which means a
  // magic link, at Auth0 and at sesame.
  const sent = await auth.passwordless.sendEmail({ email, send: 'code' });
  assert.equal(sent.status, 200);
  return waitForEmailCode(email, seen);
}

async function smsCode(auth, phoneNumber) {
  const seen = await smsCount(phoneNumber);
  const sent = await auth.passwordless.sendSMS({ phone_number: phoneNumber });
  assert.equal(sent.status, 200);
  return waitForSmsCode(phoneNumber, seen);
}

function assertTokens(data) {
  assert.equal(typeof data.access_token, 'string');
  assert.equal(typeof data.id_token, 'string');
  assert.equal(typeof data.refresh_token, 'string');
  assert.equal(data.token_type, 'Bearer');
  assert.equal(typeof data.expires_in, 'number');
}

function claims(idToken) {
  return JSON.parse(Buffer.from(idToken.split('.')[1], 'base64url').toString('utf8'));
}

describe('auth0/legacy AuthenticationClient', () => {
  test('passwordless.sendEmail + passwordless.loginWithEmail', async () => {
    const auth = newClient();
    const email = uniqueEmail('legacy-email');
    const code = await emailCode(auth, email);
    const { data, status } = await auth.passwordless.loginWithEmail({
      email,
      code,
      scope: SCOPE,
      audience: audience(),
    });
    assert.equal(status, 200);
    assertTokens(data);
    assert.equal(claims(data.id_token).email, email);
  });

  test('passwordless.sendSMS + passwordless.loginWithSMS', async () => {
    const auth = newClient();
    const phoneNumber = uniquePhone();
    const code = await smsCode(auth, phoneNumber);
    const { data, status } = await auth.passwordless.loginWithSMS({
      phone_number: phoneNumber,
      code,
      scope: SCOPE,
      audience: audience(),
    });
    assert.equal(status, 200);
    assertTokens(data);
    assert.equal(claims(data.id_token).phone_number, phoneNumber);
  });

  test('oauth.refreshTokenGrant', async () => {
    const auth = newClient();
    const email = uniqueEmail('legacy-refresh');
    const code = await emailCode(auth, email);
    const { data: first } = await auth.passwordless.loginWithEmail({
      email,
      code,
      scope: SCOPE,
      audience: audience(),
    });
    const { data, status } = await auth.oauth.refreshTokenGrant({ refresh_token: first.refresh_token });
    assert.equal(status, 200);
    assert.equal(typeof data.access_token, 'string');
    assert.notEqual(data.access_token, first.access_token);
    assert.equal(typeof data.id_token, 'string');
    assert.equal(claims(data.id_token).sub, claims(first.id_token).sub);
  });

  test('passwordless.loginWithEmail with a wrong code: AuthApiError', async () => {
    const auth = newClient();
    const email = uniqueEmail('legacy-wrong');
    const code = await emailCode(auth, email);
    await assert.rejects(
      auth.passwordless.loginWithEmail({ email, code: wrongCode(code), scope: SCOPE }),
      (err) => {
        assert.equal(err.name, 'AuthApiError');
        assert.equal(err.statusCode, 403);
        assert.equal(err.error, 'invalid_grant');
        assert.equal(err.error_description, 'Wrong email or verification code.');
        return true;
      },
    );
  });

  test('passwordless.sendEmail without send sends a magic link', async () => {
    const auth = newClient();
    const email = uniqueEmail('legacy-link');
    const seen = await mailCount(email);
    const sent = await auth.passwordless.sendEmail({ email });
    assert.equal(sent.status, 200);
    const link = new URL(await waitForEmailLink(email, seen));
    assert.equal(`${link.origin}${link.pathname}`, `${issuer()}passwordless/verify_redirect`);
    assert.equal(link.searchParams.get('client_id'), clientId());
    assert.equal(link.searchParams.get('email'), email);
  });

  test('magic link + oauth.authorizationCodeGrantWithPKCE, and the code is good once', async () => {
    const auth = newClient();
    const email = uniqueEmail('legacy-link-flow');
    const { verifier, challenge } = pkcePair();
    const state = randomUUID();
    const seen = await mailCount(email);
    const sent = await auth.passwordless.sendEmail({
      email,
      send: 'link',
      authParams: {
        redirect_uri: callback(),
        scope: 'openid email',
        state,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      },
    });
    assert.equal(sent.status, 200);
    const link = await waitForEmailLink(email, seen);

    // What a browser does: GET the confirm page, submit its form.
    const page = await fetch(link, { redirect: 'manual' });
    assert.equal(page.status, 200);
    const { action, method, fields } = confirmForm(await page.text());
    assert.equal(method, 'post');
    // As a browser would, send back the cookie the page set (its login-CSRF check).
    const cookie = page.headers.get('set-cookie').split(';')[0];
    const answer = await fetch(new URL(action, link), {
      method: 'POST',
      body: fields,
      headers: { cookie },
      redirect: 'manual',
    });
    assert.equal(answer.status, 302);
    const location = new URL(answer.headers.get('location'));
    assert.equal(`${location.origin}${location.pathname}`, callback());
    assert.equal(location.searchParams.get('state'), state);
    const code = location.searchParams.get('code');

    const grant = { code, code_verifier: verifier, redirect_uri: callback() };
    const { data, status } = await auth.oauth.authorizationCodeGrantWithPKCE(grant);
    assert.equal(status, 200);
    assert.equal(typeof data.access_token, 'string');
    assert.equal(data.token_type, 'Bearer');
    assert.equal(claims(data.id_token).email, email);

    await assert.rejects(auth.oauth.authorizationCodeGrantWithPKCE(grant), (err) => {
      assert.equal(err.name, 'AuthApiError');
      assert.equal(err.statusCode, 403);
      assert.equal(err.error, 'invalid_grant');
      assert.equal(err.error_description, 'Invalid authorization code');
      return true;
    });
  });
});
