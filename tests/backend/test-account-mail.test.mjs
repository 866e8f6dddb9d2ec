// Account recovery and management end to end: a real PocketBase sends its mails through SMTP to
// the sink in tests/node/smtp-sink.mjs, and the official SDK finishes each flow with the code
// the mail carries — verify the address, reset a forgotten password, change the password,
// change the address. The mails link to the desktop (gigdesk: URIs) and carry the code as text.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import PocketBase from 'pocketbase';
import { PASSWORD, makeUser, startPocketBase } from './helpers.mjs';
import { startSmtpSink } from '../node/smtp-sink.mjs';

let server;
let sink;

function client() {
  const pb = new PocketBase(server.url);
  pb.autoCancellation(false);
  return pb;
}

before(async () => {
  sink = await startSmtpSink();
  server = await startPocketBase({
    env: {
      SMTP_HOST: '127.0.0.1', SMTP_PORT: String(sink.port),
      MAIL_SENDER_ADDRESS: 'accounts@gigdesk.test', MAIL_SENDER_NAME: 'Gigdesk',
    },
  });
});

after(async () => {
  await server?.stop();
  await sink?.close();
});

// The readable text of a mail: each MIME part's body, base64 and quoted-printable undone.
function mailText(mail) {
  const parts = mail.raw.split(/\r\n--[^\r\n]+\r\n/);
  return parts.map((part) => {
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) return part;
    const head = part.slice(0, split).toLowerCase();
    const body = part.slice(split + 4);
    if (head.includes('content-transfer-encoding: base64'))
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    if (head.includes('content-transfer-encoding: quoted-printable'))
      return body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h) => String.fromCharCode(parseInt(h, 16)));
    return body;
  }).join('\n');
}

// The code a mail for `action` carries, checked to appear both in the gigdesk: link and as text.
function codeFrom(mail, action) {
  const text = mailText(mail);
  const m = new RegExp(`gigdesk:${action}\\?token=([A-Za-z0-9._-]+)`).exec(text);
  assert.ok(m, `the mail links to gigdesk:${action}: ${text.slice(0, 400)}`);
  assert.ok(text.includes(`<code>${m[1]}</code>`), 'the mail carries the code as text to paste');
  return m[1];
}

test('a new account confirms its address with the code from the mail', async () => {
  const erin = await makeUser(server.url, 'Erin');
  const pb = client();
  await pb.collection('users').authWithPassword(erin.email, PASSWORD);
  assert.equal(pb.authStore.record.verified, false);

  await client().collection('users').requestVerification(erin.email);
  const mail = await sink.waitForMail(erin.email, { match: (m) => /confirm your address/i.test(m.subject) });
  assert.equal(mail.from, 'accounts@gigdesk.test');
  assert.equal(mail.subject, 'Confirm your address for Gigdesk');
  assert.match(mail.headers.from, /^Gigdesk </);
  const code = codeFrom(mail, 'verify-email');

  assert.equal(await attemptStatus(() => client().collection('users').confirmVerification('not-a-code')), 400);
  await client().collection('users').confirmVerification(code);
  await pb.collection('users').authRefresh();
  assert.equal(pb.authStore.record.verified, true);
});

test('a forgotten password is reset with the code from the mail, and only once', async () => {
  const frank = await makeUser(server.url, 'Frank');
  // the answer is the same for an address nobody has
  await client().collection('users').requestPasswordReset('nobody@example.com');
  await client().collection('users').requestPasswordReset(frank.email);
  const mail = await sink.waitForMail(frank.email, { match: (m) => /reset your/i.test(m.subject) });
  const code = codeFrom(mail, 'reset-password');
  assert.equal(sink.mails.filter((m) => m.to.includes('nobody@example.com')).length, 0, 'no mail to an unknown address');

  await client().collection('users').confirmPasswordReset(code, 'new-pass-7654321', 'new-pass-7654321');
  assert.equal(await attemptStatus(() => client().collection('users').authWithPassword(frank.email, PASSWORD)), 400,
    'the old password no longer signs in');
  await client().collection('users').authWithPassword(frank.email, 'new-pass-7654321');
  assert.equal(await attemptStatus(() =>
    client().collection('users').confirmPasswordReset(code, 'third-pass-111111', 'third-pass-111111')), 400,
    'a used code does not work twice');
});

test('a signed-in user changes their password with the old one', async () => {
  const gina = await makeUser(server.url, 'Gina');
  const pb = client();
  await pb.collection('users').authWithPassword(gina.email, PASSWORD);
  assert.equal(await attemptStatus(() => pb.collection('users').update(gina.id,
    { oldPassword: 'wrong-password-1', password: 'gina-new-pass-1', passwordConfirm: 'gina-new-pass-1' })), 400,
    'the wrong old password is refused');
  await pb.collection('users').update(gina.id,
    { oldPassword: PASSWORD, password: 'gina-new-pass-1', passwordConfirm: 'gina-new-pass-1' });
  await client().collection('users').authWithPassword(gina.email, 'gina-new-pass-1');
});

test('a new address is confirmed from a mail sent to it, with the password', async () => {
  const hugo = await makeUser(server.url, 'Hugo');
  const pb = client();
  await pb.collection('users').authWithPassword(hugo.email, PASSWORD);
  await pb.collection('users').requestEmailChange('hugo.new@example.com');
  const mail = await sink.waitForMail('hugo.new@example.com');
  assert.match(mail.subject, /new .* address/i);
  const code = codeFrom(mail, 'confirm-email-change');

  assert.equal(await attemptStatus(() => client().collection('users').confirmEmailChange(code, 'wrong-password-1')), 400,
    'the wrong password is refused');
  await client().collection('users').confirmEmailChange(code, PASSWORD);
  await client().collection('users').authWithPassword('hugo.new@example.com', PASSWORD);
  assert.equal(await attemptStatus(() => client().collection('users').authWithPassword(hugo.email, PASSWORD)), 400,
    'the old address no longer signs in');
});

test('the sink refuses what a mail server would', async () => {
  const { connect } = await import('node:net');
  const talk = (lines) => new Promise((resolve) => {
    const s = connect(sink.port, '127.0.0.1');
    let out = '';
    s.on('data', (d) => { out += d; });
    s.on('close', () => resolve(out));
    s.on('connect', () => { s.write(lines); setTimeout(() => s.end(), 300); });
  });
  const out = await talk('EHLO x\r\nDATA\r\nRCPT TO:<a@b>\r\n' + 'A'.repeat(2000) + '\r\n');
  assert.match(out, /503 5\.5\.1 RCPT first/);
  assert.match(out, /503 5\.5\.1 MAIL first/);
  assert.match(out, /500 5\.5\.6 Line too long/);
});

async function attemptStatus(fn) {
  try {
    await fn();
    return 200;
  } catch (err) {
    return err.status;
  }
}
