// Nobody can ask the server whether an email address has an account: sign-up, sign-in,
// password reset and verification requests answer alike for taken and free addresses, and
// addresses are compared without regard to case. Driven with the official `pocketbase` JS SDK
// against a real PocketBase.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import PocketBase from 'pocketbase';
import { PASSWORD, SUPERUSER, startPocketBase } from './helpers.mjs';

let server;
let admin;
let owner;
const OWNER_EMAIL = 'owner.accounts@example.com';

function guest() {
  const pb = new PocketBase(server.url);
  pb.autoCancellation(false);
  return pb;
}

/* {status, body} of any SDK call, 2xx or not. */
async function answer(call) {
  try {
    return { status: 200, body: await call() };
  } catch (err) {
    if (!err.status) throw err;
    return { status: err.status, body: err.response };
  }
}

async function signUp(email, extra = {}) {
  const password = extra.password ?? 'another-pass-123';
  return answer(() => guest().collection('users').create({
    email, name: 'Newcomer', password, passwordConfirm: password, ...extra,
  }));
}

async function accountsWith(email) {
  return admin.collection('users').getFullList({ filter: admin.filter('email = {:email}', { email }) });
}

before(async () => {
  server = await startPocketBase();
  admin = new PocketBase(server.url);
  admin.autoCancellation(false);
  await admin.collection('_superusers').authWithPassword(SUPERUSER.email, SUPERUSER.password);
  owner = await guest().collection('users').create({
    email: OWNER_EMAIL, name: 'Owner', password: PASSWORD, passwordConfirm: PASSWORD,
  });
});

after(async () => {
  await server?.stop();
});

test('a sign-up for a taken address answers like a fresh one and stores nothing', async () => {
  const fresh = await signUp('fresh.accounts@example.com');
  assert.equal(fresh.status, 200);

  for (const email of [OWNER_EMAIL, OWNER_EMAIL.toUpperCase(), ` ${OWNER_EMAIL} `]) {
    const taken = await signUp(email);
    assert.equal(taken.status, 200, `${email}: ${JSON.stringify(taken.body)}`);
    assert.deepEqual(Object.keys(taken.body).sort(), Object.keys(fresh.body).sort());
    assert.match(taken.body.id, /^[a-z0-9]{15}$/);
    assert.notEqual(taken.body.id, owner.id);
    assert.equal(taken.body.name, 'Newcomer');
    assert.equal(taken.body.email, undefined, 'no address in either answer');
    for (const key of ['collectionId', 'collectionName', 'emailVisibility', 'verified', 'avatar', 'headline', 'skills'])
      assert.deepEqual(taken.body[key], fresh.body[key], key);
    assert.ok(Date.parse(taken.body.created.replace(' ', 'T')) > 0);

    // nothing was stored: the owner's account is the only one, unchanged
    const accounts = await admin.collection('users').getFullList({ filter: 'email ~ "owner.accounts"' });
    assert.deepEqual(accounts.map((a) => [a.id, a.name]), [[owner.id, 'Owner']]);
    await assert.rejects(admin.collection('users').getOne(taken.body.id), { status: 404 });
  }

  // the owner's password still works; the newcomer's does not
  const signedIn = await guest().collection('users').authWithPassword(OWNER_EMAIL, PASSWORD);
  assert.equal(signedIn.record.id, owner.id);
  await assert.rejects(guest().collection('users').authWithPassword(OWNER_EMAIL, 'another-pass-123'),
    { status: 400 });
});

test('a bad sign-up gets the same errors whether or not its address is taken', async () => {
  const cases = [
    { passwordConfirm: 'not-the-same-1234' },
    { password: 'short', passwordConfirm: 'short' },
    { name: 'n'.repeat(300) },
    { headline: 'h'.repeat(200) },
    { skills: ['ok', ''] },
    { emailVisibility: true }, // the rule keeps addresses private
  ];
  for (const extra of cases) {
    const free = await signUp('free.accounts@example.com', extra);
    const taken = await signUp(OWNER_EMAIL, extra);
    assert.notEqual(free.status, 200, JSON.stringify(extra));
    assert.deepEqual(taken, free, JSON.stringify(extra));
  }
  assert.deepEqual(await accountsWith('free.accounts@example.com'), []);
});

test('addresses are stored in lower case and one account per address in any case', async () => {
  const made = await signUp('  Mixed.Case@Example.COM ', { password: PASSWORD });
  assert.equal(made.status, 200);
  const stored = await admin.collection('users').getOne(made.body.id);
  assert.equal(stored.email, 'mixed.case@example.com');

  // a second sign-up differing only in case is the taken case: nothing new
  assert.equal((await signUp('MIXED.case@example.com')).status, 200);
  const all = await admin.collection('users').getFullList({ filter: 'email ~ "mixed.case@"' });
  assert.deepEqual(all.map((a) => a.id), [made.body.id]);

  // sign-in finds the account whatever the case typed
  for (const typed of ['Mixed.Case@Example.COM', 'mixed.case@example.com'])
    assert.equal((await guest().collection('users').authWithPassword(typed, PASSWORD)).record.id, made.body.id);
});

test('sign-in, password reset and verification answer alike for known and unknown addresses', async () => {
  const unknown = 'nobody.accounts@example.com';
  const users = () => guest().collection('users');

  const known = await answer(() => users().authWithPassword(OWNER_EMAIL, 'wrong-pass-1234'));
  const missing = await answer(() => users().authWithPassword(unknown, 'wrong-pass-1234'));
  assert.equal(known.status, 400);
  assert.deepEqual(missing, known);

  assert.deepEqual(await answer(() => users().requestPasswordReset(unknown)),
    await answer(() => users().requestPasswordReset(OWNER_EMAIL)));
  assert.deepEqual(await answer(() => users().requestVerification(unknown)),
    await answer(() => users().requestVerification(OWNER_EMAIL)));
  assert.deepEqual(await answer(() => users().requestOTP(unknown)),
    await answer(() => users().requestOTP(OWNER_EMAIL)));
});

test('a superuser still gets the precise answer', async () => {
  const r = await answer(() => admin.collection('users').create({
    email: OWNER_EMAIL, password: PASSWORD, passwordConfirm: PASSWORD, name: 'Copy',
  }));
  assert.equal(r.status, 400);
  assert.equal(r.body.data.email.code, 'validation_not_unique');
});

test('timing: sign-ups for taken and free addresses (figures only)', async (t) => {
  const rounds = 5;
  const time = async (email) => {
    const start = process.hrtime.bigint();
    await signUp(email);
    return Number(process.hrtime.bigint() - start) / 1e6;
  };
  let free = 0;
  let taken = 0;
  for (let i = 0; i < rounds; i++) {
    free += await time(`timing.${i}@example.com`);
    taken += await time(OWNER_EMAIL);
  }
  t.diagnostic(`sign-up, mean of ${rounds}: free address ${(free / rounds).toFixed(1)} ms, ` +
               `taken address ${(taken / rounds).toFixed(1)} ms`);
});
