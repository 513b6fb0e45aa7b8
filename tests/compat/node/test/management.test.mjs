// The `auth0` package's ManagementClient (v7, Fern), unchanged, against
// sesame over HTTPS: it gets its own token with client_credentials for
// https://{domain}/api/v2/ (the confidential client's client grant), then
// finds a user who logged in (by email, and by a search), reads, ends the
// user's sessions, lists the user's log events, blocks (after which a code already sent is refused as
// blocked) and deletes them.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { AuthClient } from '@auth0/auth0-auth-js';
import { ManagementClient } from 'auth0';

import {
  SCOPE,
  clientId,
  clientSecret,
  domain,
  mailCount,
  uniqueEmail,
  waitForEmailCode,
} from './helpers.mjs';

function authClient() {
  return new AuthClient({ domain: domain(), clientId: clientId(), clientSecret: clientSecret() });
}

async function login(auth, email) {
  const seen = await mailCount(email);
  await auth.passwordless.sendEmail({ email });
  const code = await waitForEmailCode(email, seen);
  return auth.getTokenByPasswordlessEmail({ email, code, scope: SCOPE });
}

describe('auth0 ManagementClient (users)', () => {
  const management = new ManagementClient({
    domain: domain(),
    clientId: clientId(),
    clientSecret: clientSecret(),
  });
  const auth = authClient();
  const email = uniqueEmail('mgmt');
  let userId;
  let refreshToken;

  test('users.listUsersByEmail finds a user who logged in; users.get reads them', async () => {
    const tokens = await login(auth, email);
    refreshToken = tokens.refreshToken;
    const found = await management.users.listUsersByEmail({ email: email.toUpperCase() });
    assert.equal(found.length, 1);
    userId = found[0].user_id;
    assert.match(userId, /^email\|[0-9a-f]{24}$/);
    assert.equal(found[0].email, email);
    assert.equal(found[0].identities[0].connection, 'email');
    const user = await management.users.get(userId);
    assert.equal(user.user_id, userId);
    assert.equal(user.logins_count, 1);
    assert.equal(user.blocked, false);
    assert.ok(!Number.isNaN(Date.parse(user.created_at)));
    const active = await management.stats.getActiveUsersCount();
    assert.ok(typeof active === 'number' && active >= 1, `active users: ${active}`);
  });

  test('users.list with q by email (search_engine v3) pages to that user', async () => {
    const page = await management.users.list({ q: `email:"${email}"`, search_engine: 'v3' });
    assert.equal(page.data.length, 1);
    assert.equal(page.data[0].user_id, userId);
    await assert.rejects(management.users.list({ q: 'name:jane', search_engine: 'v3' }), (e) => {
      assert.equal(e.statusCode, 400);
      assert.equal(e.body?.errorCode, 'invalid_query_string');
      return true;
    });
  });

  test('users.refreshToken.delete ends the user\'s sessions', async () => {
    await management.users.refreshToken.delete(userId);
    await assert.rejects(auth.getTokenByRefreshToken({ refreshToken }));
  });

  test('logs.list and users.logs.list show the user\'s s and fepotpft events', async () => {
    // A wrong code first: the events the log must show are a success and it.
    const seen = await mailCount(email);
    await auth.passwordless.sendEmail({ email });
    const code = await waitForEmailCode(email, seen);
    const wrong = code === '000000' ? '111111' : '000000';
    await assert.rejects(auth.getTokenByPasswordlessEmail({ email, code: wrong, scope: SCOPE }));
    // Events are stored in the background, so ask until both are there.
    const search = `type:(s OR fepotpft) AND user_id:"${userId}"`;
    const deadline = Date.now() + 10_000;
    let types = [];
    while (Date.now() < deadline) {
      const page = await management.logs.list({ search, sort: 'date:1', per_page: 10 });
      types = page.data.map((l) => l.type);
      if (types.includes('fepotpft')) break;
    }
    assert.deepEqual(types, ['s', 'fepotpft']);
    const mine = await management.users.logs.list(userId, { per_page: 10, sort: 'date:-1' });
    assert.equal(mine.data[0].type, 'fepotpft');
    assert.ok(mine.data.every((l) => l.user_id === userId));
    assert.ok(mine.data.every((l) => !JSON.stringify(l).includes(email)), 'no full address');
    await assert.rejects(management.logs.list({ search: 'ip:10.0.0.1' }), (e) => {
      assert.equal(e.statusCode, 400);
      assert.equal(e.body?.errorCode, 'invalid_query_string');
      return true;
    });
  });

  test('users.update({blocked: true}): a code already sent is refused as blocked', async () => {
    const seen = await mailCount(email);
    await auth.passwordless.sendEmail({ email });
    const code = await waitForEmailCode(email, seen);
    const updated = await management.users.update(userId, { blocked: true });
    assert.equal(updated.blocked, true);
    await assert.rejects(
      auth.getTokenByPasswordlessEmail({ email, code, scope: SCOPE }),
      (e) => e.cause?.error === 'unauthorized' && e.cause?.error_description === 'user is blocked',
    );
  });

  test('users.delete removes the user', async () => {
    await management.users.delete(userId);
    await assert.rejects(management.users.get(userId), (e) => e.statusCode === 404);
  });

  test('an unknown user is a 404 with Auth0\'s errorCode', async () => {
    await assert.rejects(management.users.get('email|000000000000000000000000'), (e) => {
      assert.equal(e.statusCode, 404);
      assert.equal(e.body?.errorCode, 'inexistent_user');
      return true;
    });
  });
});
