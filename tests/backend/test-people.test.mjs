// Profiles and reviews, through the official PocketBase JS SDK against a real server, for every
// role: a project's owner (alice), its hired freelancer (bob), a freelancer whose proposal was
// not accepted (carol), another signed-in user (dave) and a guest. The tables this asserts are
// in pb/README.md ("Profiles" and "Reviews").
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import PocketBase from 'pocketbase';
import { PASSWORD, makeUser, startPocketBase } from './helpers.mjs';

let server;
const sdk = {};   // role -> PocketBase client
const ids = {};   // role -> user id
let completed;    // a completed project: alice hired bob
let running;      // a project still in progress: alice hired bob

function client(url) {
  const pb = new PocketBase(url);
  pb.autoCancellation(false);
  return pb;
}

async function hire(title) {
  const project = await sdk.owner.collection('projects').create(
    { title, budget: 900, currency: 'EUR', status: 'open', owner: ids.owner });
  const winning = await sdk.hired.collection('proposals').create(
    { project: project.id, freelancer: ids.hired, amount: 800, estimated_days: 5, status: 'sent', cover_letter: 'me' });
  await sdk.other.collection('proposals').create(
    { project: project.id, freelancer: ids.other, amount: 700, estimated_days: 9, status: 'sent', cover_letter: 'me too' });
  await sdk.owner.collection('proposals').update(winning.id, { status: 'accepted' });
  return project;
}

before(async () => {
  server = await startPocketBase();
  const roles = { owner: 'Alice', hired: 'Bob', other: 'Carol', stranger: 'Dave' };
  for (const [role, name] of Object.entries(roles)) {
    const user = await makeUser(server.url, name);
    ids[role] = user.id;
    sdk[role] = client(server.url);
    await sdk[role].collection('users').authWithPassword(user.email, PASSWORD);
  }
  sdk.guest = client(server.url);
  completed = await hire('Logo');
  await sdk.owner.collection('projects').update(completed.id, { status: 'completed' });
  running = await hire('Website');
});

after(async () => { await server?.stop(); });

async function attempt(fn) {
  try {
    return { status: 200, record: await fn() };
  } catch (err) {
    return { status: err.status, message: err.response?.message ?? '', data: err.response?.data ?? {} };
  }
}

// ------------------------------------------------------------------ profiles

test('a profile is public to signed-in users, its email is not', async () => {
  await sdk.hired.collection('users').update(ids.hired, {
    headline: 'Logo designer', bio: 'Ten years of brand work.', hourly_rate: 65, rate_currency: 'EUR',
    timezone: 'Europe/Berlin', skills: ['Logos', 'Illustrator'],
  });
  for (const role of ['owner', 'other', 'stranger']) {
    const seen = await sdk[role].collection('users').getOne(ids.hired);
    assert.equal(seen.headline, 'Logo designer', role);
    assert.equal(seen.bio, 'Ten years of brand work.', role);
    assert.equal(seen.hourly_rate, 65, role);
    assert.equal(seen.rate_currency, 'EUR', role);
    assert.equal(seen.timezone, 'Europe/Berlin', role);
    assert.deepEqual(seen.skills, ['Logos', 'Illustrator'], role);
    assert.ok(seen.created, `${role}: member since`);
    assert.equal(seen.email, undefined, `${role} must not see the email`);
  }
  const own = await sdk.hired.collection('users').getOne(ids.hired);
  assert.equal(own.email, 'bob@example.com', 'the owner of the account sees their own email');
  const guest = await attempt(() => sdk.guest.collection('users').getOne(ids.hired));
  assert.equal(guest.status, 404, 'a guest sees no profile');
});

test('only its owner edits a profile, and only within the limits', async () => {
  for (const role of ['owner', 'other', 'stranger', 'guest']) {
    const r = await attempt(() => sdk[role].collection('users').update(ids.hired, { bio: 'hacked' }));
    assert.equal(r.status, 404, `${role} editing bob's profile`);
  }
  const bad = {
    hourly_rate: -1, rate_currency: 'euro', timezone: '../../etc/passwd', bio: 'x'.repeat(5001),
  };
  for (const [field, value] of Object.entries(bad)) {
    const r = await attempt(() => sdk.hired.collection('users').update(ids.hired, { [field]: value }));
    assert.equal(r.status, 400, `${field}=${String(value).slice(0, 20)}`);
    assert.ok(r.data[field], `the refusal names ${field}`);
  }
  for (const zone of ['UTC', 'America/Argentina/Buenos_Aires', 'Etc/GMT+5']) {
    const r = await attempt(() => sdk.hired.collection('users').update(ids.hired, { timezone: zone }));
    assert.equal(r.status, 200, zone);
  }
  const seen = await sdk.stranger.collection('users').getOne(ids.hired);
  assert.equal(seen.bio, 'Ten years of brand work.', 'refused edits changed nothing');
});

test('nobody sets their own rating', async () => {
  for (const body of [{ review_count: 99 }, { rating_average: 5 }]) {
    const r = await attempt(() => sdk.hired.collection('users').update(ids.hired, body));
    assert.equal(r.status, 404, JSON.stringify(body));
  }
  const r = await attempt(() => sdk.guest.collection('users').create({
    email: 'eve@example.com', password: PASSWORD, passwordConfirm: PASSWORD, name: 'Eve', review_count: 50, rating_average: 5,
  }));
  assert.ok(r.status >= 400, 'a sign-up may not bring its own rating');
});

// ------------------------------------------------------------------ reviews

const review = (role, project, subject, rating, text = 'Good work.') =>
  attempt(() => sdk[role].collection('reviews').create(
    { project: project.id, author: ids[role], subject: ids[subject], rating, text }));

test('only the two parties of a completed project review each other', async () => {
  // before completion: nobody
  assert.equal((await review('owner', running, 'hired', 5)).status, 400, 'owner, project in progress');
  assert.equal((await review('hired', running, 'owner', 5)).status, 400, 'hired, project in progress');
  // outsiders: never
  assert.equal((await review('other', completed, 'hired', 1)).status, 400, 'the rejected proposer');
  assert.equal((await review('stranger', completed, 'owner', 1)).status, 400, 'a stranger');
  assert.equal((await attempt(() => sdk.guest.collection('reviews').create(
    { project: completed.id, author: ids.owner, subject: ids.hired, rating: 1 }))).status, 400, 'a guest');
  // the parties: not about someone else, not in someone else's name, not about themselves
  assert.equal((await review('owner', completed, 'other', 1)).status, 400, 'owner about carol');
  assert.equal((await review('owner', completed, 'owner', 5)).status, 400, 'owner about herself');
  assert.equal((await attempt(() => sdk.owner.collection('reviews').create(
    { project: completed.id, author: ids.hired, subject: ids.owner, rating: 5 }))).status, 400, 'in bob\'s name');
  // stars 1..5, whole
  for (const rating of [0, 6, 4.5])
    assert.equal((await review('owner', completed, 'hired', rating)).status, 400, `rating ${rating}`);

  const fromOwner = await review('owner', completed, 'hired', 4, '  Clear and quick.  ');
  assert.equal(fromOwner.status, 200, fromOwner.message);
  assert.equal(fromOwner.record.text, 'Clear and quick.', 'the text is trimmed');
  const fromHired = await review('hired', completed, 'owner', 5);
  assert.equal(fromHired.status, 200, fromHired.message);

  // once each
  assert.equal((await review('owner', completed, 'hired', 5)).status, 400, 'a second review by alice');
  assert.equal((await review('hired', completed, 'owner', 1)).status, 400, 'a second review by bob');
});

test('everyone signed in reads reviews; only the author changes one; nobody deletes one', async () => {
  const list = await sdk.stranger.collection('reviews').getFullList({ filter: `subject = "${ids.hired}"` });
  assert.equal(list.length, 1);
  const r = list[0];
  assert.equal(r.rating, 4);
  assert.equal((await attempt(() => sdk.guest.collection('reviews').getOne(r.id))).status, 404, 'guest reads');

  for (const role of ['hired', 'other', 'stranger', 'guest']) {
    const u = await attempt(() => sdk[role].collection('reviews').update(r.id, { rating: 1 }));
    assert.equal(u.status, 404, `${role} changing alice's review`);
  }
  for (const body of [{ subject: ids.other }, { project: running.id }, { author: ids.stranger }]) {
    const u = await attempt(() => sdk.owner.collection('reviews').update(r.id, body));
    assert.equal(u.status, 404, `moving a review: ${JSON.stringify(body)}`);
  }
  for (const role of ['owner', 'hired', 'stranger']) {
    const d = await attempt(() => sdk[role].collection('reviews').delete(r.id));
    assert.ok(d.status === 403 || d.status === 404, `${role} hard-deleting: ${d.status}`);
  }
  const still = await sdk.owner.collection('reviews').getOne(r.id);
  assert.equal(still.rating, 4, 'refused writes changed nothing');
});

test('the subject\'s profile carries the count and the average of live reviews', async () => {
  let bob = await sdk.stranger.collection('users').getOne(ids.hired);
  assert.equal(bob.review_count, 1);
  assert.equal(bob.rating_average, 4);

  const [r] = await sdk.owner.collection('reviews').getFullList({ filter: `author = "${ids.owner}"` });
  await sdk.owner.collection('reviews').update(r.id, { rating: 3 });
  bob = await sdk.stranger.collection('users').getOne(ids.hired);
  assert.equal(bob.rating_average, 3, 'an edit moves the average');

  // a second completed project gives bob a second review: 3 and 5 make 4
  const second = await hire('Poster');
  await sdk.owner.collection('projects').update(second.id, { status: 'completed' });
  assert.equal((await review('owner', second, 'hired', 5)).status, 200);
  bob = await sdk.stranger.collection('users').getOne(ids.hired);
  assert.equal(bob.review_count, 2);
  assert.equal(bob.rating_average, 4);

  // withdrawing leaves the review (soft delete, stamped) out of the figures
  const withdrawn = await sdk.owner.collection('reviews').update(r.id, { deleted: true });
  assert.ok(withdrawn.deleted_at, 'deleted_at is stamped');
  bob = await sdk.stranger.collection('users').getOne(ids.hired);
  assert.equal(bob.review_count, 1);
  assert.equal(bob.rating_average, 5);
  // and it cannot be replaced by a new one
  assert.equal((await review('owner', completed, 'hired', 1)).status, 400, 'a new review after withdrawing');
  // restoring brings it back
  await sdk.owner.collection('reviews').update(r.id, { deleted: false });
  bob = await sdk.stranger.collection('users').getOne(ids.hired);
  assert.equal(bob.review_count, 2);
  assert.equal(bob.rating_average, 4);

  const alice = await sdk.stranger.collection('users').getOne(ids.owner);
  assert.equal(alice.review_count, 1);
  assert.equal(alice.rating_average, 5);
});

test('a review\'s people are no way to an email', async () => {
  for (const query of ['sort=author.email', 'sort=-subject.email', 'filter=subject.email~"a"']) {
    const r = await attempt(() => sdk.stranger.send(`/api/collections/reviews/records?${query}`, {}));
    assert.equal(r.status, 400, query);
  }
});
