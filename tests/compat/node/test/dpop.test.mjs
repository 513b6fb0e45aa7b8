// openid-client (v6, the version @auth0/auth0-auth-js resolves to), unchanged,
// driving DPoP (RFC 9449) against sesame over HTTPS with its own DPoP handle:
// the passwordless OTP grant with a proof, the server-nonce round trip that
// the library answers by itself, `token_type: DPoP`, /userinfo with a proof,
// refresh with the same key, refresh with another key refused (and the
// family still alive), and the Bearer form of a bound token refused.
//
// The public client is used: with the default `[dpop] require_nonce =
// "public"` its first token request must be answered `use_dpop_nonce`.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { before, describe, test } from 'node:test';

import * as oidc from 'openid-client';

import { SCOPE, audience, env, issuer, mailCount, uniqueEmail, waitForEmailCode } from './helpers.mjs';

const PASSWORDLESS_OTP = 'http://auth0.com/oauth/grant-type/passwordless/otp';
const publicClientId = () => env('COMPAT_PUBLIC_CLIENT_ID');

/** The token endpoint's traffic, as the library sent and received it. */
const exchanges = [];

async function discover() {
  const config = await oidc.discovery(new URL(issuer()), publicClientId(), undefined, oidc.None());
  config[oidc.customFetch] = async (url, options) => {
    const response = await fetch(url, options);
    if (new URL(url).pathname === '/oauth/token') {
      const headers = new Headers(options.headers);
      exchanges.push({
        proof: headers.get('dpop'),
        status: response.status,
        nonce: response.headers.get('dpop-nonce'),
        error: response.status === 400 ? (await response.clone().json()).error : undefined,
      });
    }
    return response;
  };
  return config;
}

/** RFC 7638 thumbprint of an EC public key, as the server must compute it. */
async function thumbprint(publicKey) {
  const { crv, kty, x, y } = await crypto.subtle.exportKey('jwk', publicKey);
  return createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest('base64url');
}

const payload = (jwt) => JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString());

async function emailCode(email) {
  const seen = await mailCount(email);
  const response = await fetch(`${issuer()}passwordless/start`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_id: publicClientId(), connection: 'email', email, send: 'code' }),
  });
  assert.equal(response.status, 200, await response.text());
  return waitForEmailCode(email, seen);
}

describe('openid-client DPoP handle against sesame', () => {
  let config;
  let keyPair;
  let dpop;
  let email;
  let tokens;

  before(async () => {
    config = await discover();
    keyPair = await oidc.randomDPoPKeyPair('ES256');
    dpop = oidc.getDPoPHandle(config, keyPair);
    email = uniqueEmail('dpop');
  });

  test('discovery advertises the DPoP signing algorithms', () => {
    const algs = config.serverMetadata().dpop_signing_alg_values_supported;
    assert.ok(Array.isArray(algs), 'dpop_signing_alg_values_supported is missing');
    for (const alg of ['ES256', 'RS256', 'EdDSA']) assert.ok(algs.includes(alg), `${alg} not in ${algs}`);
  });

  test('the OTP grant with a proof: a nonce round trip, then DPoP-bound tokens', async () => {
    const code = await emailCode(email);
    exchanges.length = 0;
    tokens = await oidc.genericGrantRequest(
      config,
      PASSWORDLESS_OTP,
      { username: email, otp: code, realm: 'email', scope: SCOPE, audience: audience() },
      { DPoP: dpop },
    );
    // The first proof carried no nonce and was answered use_dpop_nonce with
    // a DPoP-Nonce header; the library retried with it and succeeded.
    assert.equal(exchanges.length, 2, JSON.stringify(exchanges));
    const [first, second] = exchanges;
    assert.equal(first.status, 400);
    assert.equal(first.error, 'use_dpop_nonce');
    assert.ok(first.nonce, 'the use_dpop_nonce answer carries no DPoP-Nonce header');
    assert.equal(payload(first.proof).nonce, undefined);
    assert.equal(second.status, 200);
    assert.equal(payload(second.proof).nonce, first.nonce);
    assert.ok(second.nonce, 'a DPoP answer carries a fresh DPoP-Nonce');

    assert.equal(tokens.token_type, 'dpop');
    assert.equal(typeof tokens.refresh_token, 'string');
    const access = payload(tokens.access_token);
    assert.equal(access.cnf?.jkt, await thumbprint(keyPair.publicKey));
    assert.equal(tokens.claims().email, email);
  });

  test('/userinfo with the DPoP-bound access token and a proof', async () => {
    const info = await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims().sub, { DPoP: dpop });
    assert.equal(info.email, email);
  });

  test('the bound access token presented as Bearer is refused with a DPoP challenge', async () => {
    const response = await fetch(`${issuer()}userinfo`, {
      headers: { authorization: `Bearer ${tokens.access_token}` },
    });
    assert.equal(response.status, 401);
    assert.match(response.headers.get('www-authenticate') ?? '', /^DPoP .*error="invalid_token"/);
    await assert.rejects(
      oidc.fetchUserInfo(config, tokens.access_token, tokens.claims().sub),
      (err) => err instanceof oidc.WWWAuthenticateChallengeError && err.cause[0].scheme === 'dpop',
    );
  });

  test('a refresh with another key is refused, and the family stays alive for the right key', async () => {
    const other = oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair('ES256'));
    await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token, {}, { DPoP: other }), (err) => {
      assert.ok(err instanceof oidc.ResponseBodyError, String(err));
      assert.equal(err.status, 400);
      assert.equal(err.error, 'invalid_dpop_proof');
      return true;
    });
    await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token), (err) => {
      assert.ok(err instanceof oidc.ResponseBodyError, String(err));
      assert.equal(err.error, 'invalid_dpop_proof');
      return true;
    });

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token, {}, { DPoP: dpop });
    assert.equal(refreshed.token_type, 'dpop');
    assert.notEqual(refreshed.refresh_token, tokens.refresh_token);
    assert.equal(payload(refreshed.access_token).cnf?.jkt, await thumbprint(keyPair.publicKey));
    const info = await oidc.fetchUserInfo(config, refreshed.access_token, tokens.claims().sub, { DPoP: dpop });
    assert.equal(info.email, email);
  });
});
