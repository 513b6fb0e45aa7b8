// @auth0/auth0-auth-js's MFA client (`authClient.mfa`), unchanged, against
// sesame over HTTPS: the client "Compat MFA" has `mfa = "always"`.
//
// 1. a passwordless login answers mfa_required (isMfaRequiredError);
// 2. TOTP is enrolled with that mfa_token and confirmed with a code
//    computed here from the returned secret (RFC 6238);
// 3. the next login lists the authenticators, challenges otp and verifies;
// 4. a recovery code gets a token for the MFA API (scope enroll …) and a
//    new recovery code;
// 5. SMS is enrolled with that access token and confirmed with the code
//    read from the SNS emulator, then challenged and passed on a login;
// 6. the SMS authenticator is deleted.

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';

import { AuthClient, isMfaRequiredError } from '@auth0/auth0-auth-js';

import {
  env,
  issuer,
  domain,
  mailCount,
  smsCount,
  uniqueEmail,
  uniquePhone,
  waitForEmailCode,
  waitForSmsCode,
} from './helpers.mjs';

const SCOPE = 'openid profile email';

function newClient() {
  return new AuthClient({
    domain: domain(),
    clientId: env('COMPAT_MFA_CLIENT_ID'),
    clientSecret: env('COMPAT_MFA_CLIENT_SECRET'),
  });
}

function base32Decode(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of s.replace(/=+$/, '').toUpperCase()) {
    const v = alphabet.indexOf(c);
    if (v < 0) throw new Error(`not base32: ${c}`);
    bits += v.toString(2).padStart(5, '0');
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** RFC 6238: 6 digits, 30 s steps, HMAC-SHA-1, at time step `step`. */
function totp(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  const n = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(n).padStart(6, '0');
}

const stepNow = () => Math.floor(Date.now() / 1000 / 30);

/** A passwordless email login that must answer mfa_required; its cause. */
async function mfaRequired(authClient, email, extra = {}) {
  const seen = await mailCount(email);
  await authClient.passwordless.sendEmail({ email });
  const code = await waitForEmailCode(email, seen);
  try {
    await authClient.getTokenByPasswordlessEmail({ email, code, scope: SCOPE, ...extra });
  } catch (e) {
    assert.ok(isMfaRequiredError(e), `expected mfa_required, got ${e}`);
    assert.equal(typeof e.cause.mfa_token, 'string');
    return e.cause;
  }
  assert.fail('the login answered tokens without a second factor');
}

describe('@auth0/auth0-auth-js authClient.mfa', () => {
  // The steps run in order, on one user.
  const authClient = newClient();
  const email = uniqueEmail('authjs-mfa');
  const phoneNumber = uniquePhone();
  let secret;
  let step;
  let recoveryCode;
  let apiToken;
  let phoneId;

  test('a passwordless login answers mfa_required (isMfaRequiredError); TOTP is enrolled and confirmed', async () => {
    const first = await mfaRequired(authClient, email);
    assert.deepEqual(
      first.mfa_requirements.enroll.map((r) => r.type),
      ['otp', 'phone', 'email'],
    );

    // The same mfa_token enrolls TOTP; a code computed here confirms it.
    const enrollment = await authClient.mfa.enrollAuthenticator({
      authenticatorTypes: ['otp'],
      mfaToken: first.mfa_token,
    });
    assert.equal(enrollment.authenticatorType, 'otp');
    assert.match(enrollment.barcodeUri, /^otpauth:\/\/totp\//);
    assert.equal(enrollment.recoveryCodes.length, 1);
    secret = enrollment.secret;
    recoveryCode = enrollment.recoveryCodes[0];
    step = stepNow();
    const enrolled = await authClient.mfa.verify({
      mfaToken: first.mfa_token,
      factorType: 'otp',
      otp: totp(secret, step),
    });
    assert.deepEqual(enrolled.claims.amr, ['mfa']);
    assert.equal(enrolled.claims.iss, issuer());
    // The token was spent by that grant.
    await assert.rejects(
      authClient.mfa.verify({ mfaToken: first.mfa_token, factorType: 'otp', otp: totp(secret, step + 1) }),
      (e) => e.cause?.error === 'invalid_grant',
    );
  });

  test('the next login lists, challenges otp and verifies; a used code is refused', async () => {
    const second = await mfaRequired(authClient, email);
    assert.deepEqual(second.mfa_requirements.challenge.map((r) => r.type), ['otp', 'recovery-code']);
    const listed = await authClient.mfa.listAuthenticators({ mfaToken: second.mfa_token });
    const types = listed.map((a) => [a.authenticatorType, a.active]).sort();
    assert.deepEqual(types, [['otp', true], ['recovery-code', true]]);
    const challenge = await authClient.mfa.challengeAuthenticator({
      challengeType: 'otp',
      mfaToken: second.mfa_token,
    });
    assert.equal(challenge.challengeType, 'otp');
    await assert.rejects(
      authClient.mfa.verify({ mfaToken: second.mfa_token, factorType: 'otp', otp: totp(secret, step) }),
      (e) => e.cause?.error_description === 'Invalid otp_code.',
      'a used TOTP code is refused',
    );
    // The next step's code: the current one was used.
    const loggedIn = await authClient.mfa.verify({
      mfaToken: second.mfa_token,
      factorType: 'otp',
      otp: totp(secret, step + 1),
    });
    assert.deepEqual(loggedIn.claims.amr, ['mfa']);
  });

  test('a recovery code passes (for a token for the MFA API) and is replaced', async () => {
    const third = await mfaRequired(authClient, email, {
      audience: `${issuer()}mfa/`,
      scope: 'openid enroll read:authenticators remove:authenticators',
    });
    const recovered = await authClient.mfa.verify({
      mfaToken: third.mfa_token,
      factorType: 'recovery-code',
      recoveryCode,
    });
    assert.equal(typeof recovered.recoveryCode, 'string');
    assert.notEqual(recovered.recoveryCode, recoveryCode);
    apiToken = recovered.accessToken;
  });

  test('SMS is enrolled with the MFA API token and confirmed with the texted code', async () => {
    const seen = await smsCount(phoneNumber);
    const sms = await authClient.mfa.enrollAuthenticator({
      authenticatorTypes: ['oob'],
      oobChannels: ['sms'],
      phoneNumber,
      mfaToken: apiToken,
    });
    assert.equal(sms.authenticatorType, 'oob');
    assert.equal(sms.oobChannel, 'sms');
    assert.equal(sms.recoveryCodes, undefined, 'recovery codes come with the first enrollment only');
    const texted = await waitForSmsCode(phoneNumber, seen);
    await authClient.mfa.verify({ mfaToken: apiToken, factorType: 'oob', oobCode: sms.oobCode, bindingCode: texted });
  });

  test('a login is passed with an SMS challenge', async () => {
    const fourth = await mfaRequired(authClient, email);
    const all = await authClient.mfa.listAuthenticators({ mfaToken: fourth.mfa_token });
    const phone = all.find((a) => a.authenticatorType === 'oob');
    assert.equal(phone.active, true);
    assert.match(phone.name, /^\+X XXXX\d{4}$/);
    phoneId = phone.id;
    const seen = await smsCount(phoneNumber);
    const oob = await authClient.mfa.challengeAuthenticator({
      challengeType: 'oob',
      authenticatorId: phone.id,
      mfaToken: fourth.mfa_token,
    });
    assert.equal(oob.challengeType, 'oob');
    const texted = await waitForSmsCode(phoneNumber, seen);
    const bySms = await authClient.mfa.verify({
      mfaToken: fourth.mfa_token,
      factorType: 'oob',
      oobCode: oob.oobCode,
      bindingCode: texted,
    });
    assert.deepEqual(bySms.claims.amr, ['mfa']);
  });

  test('the SMS authenticator is deleted with the MFA API token', async () => {
    await authClient.mfa.deleteAuthenticator({ authenticatorId: phoneId, mfaToken: apiToken });
    const left = await authClient.mfa.listAuthenticators({ mfaToken: apiToken });
    assert.equal(left.find((a) => a.id === phoneId), undefined);
    assert.ok(left.some((a) => a.authenticatorType === 'otp'));
  });
});
