// Shared by the Node suites: where the HTTPS server is, and how to read the
// codes and magic links sesame delivered (the SMTP sink's maildir, moto's
// SNS).
// tests/compat/run starts the servers and exports the COMPAT_* variables.

import { createHash, randomBytes, randomInt } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const WAIT_MS = 15_000;

export function env(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run this suite through tests/compat/run`);
  }
  return value;
}

/** The HTTPS server, as Auth0 SDKs want it: a bare domain (host:port). */
export const domain = () => env('COMPAT_HTTPS_DOMAIN');
export const issuer = () => `https://${domain()}/`;
export const clientId = () => env('COMPAT_CONF_CLIENT_ID');
export const clientSecret = () => env('COMPAT_CONF_CLIENT_SECRET');
export const audience = () => env('COMPAT_AUDIENCE');
/** The callback both applications register; nothing listens there. */
export const callback = () => env('COMPAT_CALLBACK');
export const SCOPE = 'openid profile email offline_access';

const RUN_ID = randomBytes(4).toString('hex');

export function uniqueEmail(label) {
  return `node-${label}-${RUN_ID}-${randomBytes(3).toString('hex')}@compat.test`;
}

export function uniquePhone() {
  let digits = '';
  for (let i = 0; i < 7; i++) digits += randomInt(10);
  return `+1555${digits}`;
}

function maildir(address) {
  let name = address.toLowerCase().replace(/[/\\]/g, '_');
  if (name.startsWith('.')) name = `_${name.slice(1)}`;
  return path.join(env('SESAME_TEST_MAILDIR'), name);
}

async function emlFiles(address) {
  let names;
  try {
    names = await readdir(maildir(address));
  } catch (e) {
    if (e.code === 'ENOENT') return [];
    throw e;
  }
  return names
    .filter((n) => n.endsWith('.eml') && !n.startsWith('.'))
    .sort((a, b) => (BigInt(a.slice(0, -4)) < BigInt(b.slice(0, -4)) ? -1 : 1))
    .map((n) => path.join(maildir(address), n));
}

export async function mailCount(address) {
  return (await emlFiles(address)).length;
}

function decodeQuotedPrintable(text) {
  return text
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
}

/** The text/plain part of a message, quoted-printable undone. */
function plainText(raw) {
  const boundary = /boundary="?([^"\r\n;]+)"?/i.exec(raw)?.[1];
  const parts = boundary ? raw.split(`--${boundary}`) : [raw];
  const plain = parts.find((p) => /content-type:\s*text\/plain/i.test(p));
  if (!plain) throw new Error('the message has no text/plain part');
  const split = plain.search(/\r?\n\r?\n/);
  let body = plain.slice(split).trim();
  if (/content-transfer-encoding:\s*quoted-printable/i.test(plain.slice(0, split))) {
    body = decodeQuotedPrintable(body);
  }
  return body;
}

/** The code in a message: the digits alone on a line of its text/plain part. */
export function codeFromEml(raw) {
  const body = plainText(raw);
  const match = /^\s*(\d{4,10})\s*$/m.exec(body);
  if (!match) throw new Error(`no code in the message body:\n${body}`);
  return match[1];
}

/** The magic link in a message: the first .../passwordless/verify_redirect URL of its text/plain part. */
export function linkFromEml(raw) {
  const match = /https?:\/\/\S+\/passwordless\/verify_redirect\?\S+/.exec(plainText(raw));
  if (!match) throw new Error("no magic link in the message's text part");
  return match[0];
}

async function waitForEmail(address, seen, read) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const files = await emlFiles(address);
    if (files.length > seen) {
      return read(await readFile(files.at(-1), 'utf8'));
    }
    if (Date.now() > deadline) throw new Error(`no new mail for ${address} within ${WAIT_MS} ms`);
    await sleep(50);
  }
}

export const waitForEmailCode = (address, seen) => waitForEmail(address, seen, codeFromEml);
export const waitForEmailLink = (address, seen) => waitForEmail(address, seen, linkFromEml);

/** A PKCE (RFC 7636) code_verifier and its S256 code_challenge. */
export function pkcePair() {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  return { verifier, challenge };
}

const decodeEntities = (s) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/** The confirm page's `<form id="confirm">`: action, method and hidden fields. */
export function confirmForm(html) {
  const form = /<form id="confirm"([^>]*)>([\s\S]*?)<\/form>/.exec(html);
  if (!form) throw new Error('the page has no confirm form');
  const attr = (tag, name) => {
    const m = new RegExp(`${name}="([^"]*)"`).exec(tag);
    return m ? decodeEntities(m[1]) : undefined;
  };
  const fields = new URLSearchParams();
  for (const [input] of form[2].matchAll(/<input [^>]*>/g)) {
    if (attr(input, 'type') === 'hidden') fields.append(attr(input, 'name'), attr(input, 'value') ?? '');
  }
  return { action: attr(form[1], 'action'), method: attr(form[1], 'method'), fields };
}

async function smsFor(phone) {
  const url = `${env('SESAME_TEST_SNS_ENDPOINT').replace(/\/$/, '')}/moto-api/data.json`;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`moto answered ${response.status}`);
  const data = await response.json();
  return (data.sns?.SMS ?? []).filter((m) => m.phone_number === phone).map((m) => m.message);
}

export async function smsCount(phone) {
  return (await smsFor(phone)).length;
}

export async function waitForSmsCode(phone, seen) {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const messages = await smsFor(phone);
    if (messages.length > seen) {
      const match = /\b(\d{4,10})\b/.exec(messages.at(-1));
      if (!match) throw new Error(`no code in the SMS: ${JSON.stringify(messages.at(-1))}`);
      return match[1];
    }
    if (Date.now() > deadline) throw new Error(`no new SMS for ${phone} within ${WAIT_MS} ms`);
    await sleep(100);
  }
}

/** A code that is not `code`. */
export const wrongCode = (code) => (code === '000000' ? '111111' : '000000');
