// Private fields (users' email, password, tokenKey) are unusable in another user's sort and
// filter, on every collection and relation path; the app's own queries keep working.
// Driven with the official `pocketbase` JS SDK against a real PocketBase.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import PocketBase from 'pocketbase';
import { PASSWORD, SUPERUSER, startPocketBase } from './helpers.mjs';

let server;
const people = {};

async function signUp(name, email) {
  const pb = new PocketBase(server.url);
  pb.autoCancellation(false);
  await pb.collection('users').create({ email, name, password: PASSWORD, passwordConfirm: PASSWORD });
  await pb.collection('users').authWithPassword(email, PASSWORD);
  return { pb, id: pb.authStore.record.id, email };
}

/* The SDK throws a ClientResponseError for any non-2xx answer; this returns
   {status, message, items} either way. */
async function listAs(who, collection, options) {
  try {
    const page = await who.pb.collection(collection).getList(1, 50, options);
    return { status: 200, items: page.items };
  } catch (err) {
    return { status: err.status, message: err.response?.message ?? String(err) };
  }
}

before(async () => {
  server = await startPocketBase();
  // the target's address is what the attacker is after
  people.target = await signUp('Target', 'qtarget@example.com');
  people.mallory = await signUp('Mallory', 'mallory@example.com');
  people.fred = await signUp('Fred', 'fred@example.com');

  const t = people.target, m = people.mallory, f = people.fred;
  // every relation that reaches a user: owners, hired freelancers, proposal authors
  people.targetProject = await t.pb.collection('projects').create({ title: 'target work', status: 'open', owner: t.id });
  people.malloryProject = await m.pb.collection('projects').create({ title: 'mallory work', status: 'open', owner: m.id });
  people.hiredProject = await m.pb.collection('projects').create({ title: 'hired', status: 'open', owner: m.id });
  const hire = await t.pb.collection('proposals').create({ project: people.hiredProject.id, freelancer: t.id, status: 'sent', amount: 10 });
  await m.pb.collection('proposals').update(hire.id, { status: 'accepted' });
  await t.pb.collection('proposals').create({ project: people.malloryProject.id, freelancer: t.id, status: 'sent', amount: 5 });
  await m.pb.collection('proposals').create({ project: people.targetProject.id, freelancer: m.id, status: 'sent', amount: 7 });
  await f.pb.collection('proposals').create({ project: people.targetProject.id, freelancer: f.id, status: 'sent', amount: 9 });
  await m.pb.collection('milestones').create({ project: people.hiredProject.id, title: 'step', status: 'pending' });
  await m.pb.collection('milestones').create({ project: people.malloryProject.id, title: 'own step', status: 'pending' });
});

after(async () => {
  await server?.stop();
});

/* One comparison of the attack: with a list of exactly the target's record and one of the
   attacker's own (whose email the attacker chose), the sort order says whether the target's
   email sorts before the probe's. Returns true/false, or null when the server refuses. */
async function targetSortsFirst(attacker, collection, sort, targetId, probeId) {
  const r = await listAs(attacker, collection, { filter: `id = "${targetId}" || id = "${probeId}"`, sort });
  if (r.status !== 200)
    return null;
  assert.equal(r.items.length, 2, `both records are visible to the attacker in ${collection}`);
  return r.items[0].id === targetId;
}

test('the binary search for a user\'s email by sort order gets no answer', async () => {
  // The attacker signs up probe accounts with chosen addresses and compares; one character
  // of the target's email takes a handful of sign-ups.
  const alphabet = 'abcdefghijklmnopqrstuvwxyz';
  let lo = 0, hi = alphabet.length - 1, answers = 0, refusals = 0;
  let probeNo = 0;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    const probe = await signUp(`Probe${probeNo}`, `${alphabet[mid]}@probe${probeNo++}.example`);
    const first = await targetSortsFirst(probe, 'users', 'email', people.target.id, probe.id);
    if (first === null) {
      refusals++;
      break;
    }
    answers++;
    if (first) hi = mid - 1; else lo = mid;
  }
  assert.equal(answers, 0, `the sort answered ${answers} comparisons (first letter narrowed to ${alphabet[lo]})`);
  assert.equal(refusals, 1);
});

// Every path from a collection the attacker can list to a user's private field.
const PRIVATE_PATHS = {
  users: ['email', 'EMAIL', 'email:lower', 'password', 'tokenKey',
    'projects_via_owner.owner.email', 'projects_via_hired_freelancer.owner.email',
    'proposals_via_freelancer.project.owner.email', 'proposals_via_freelancer.freelancer.tokenKey'],
  projects: ['owner.email', 'hired_freelancer.email', 'owner.email:lower', 'owner.password',
    'proposals_via_project.freelancer.email', 'milestones_via_project.project.owner.email'],
  proposals: ['freelancer.email', 'project.owner.email', 'project.hired_freelancer.email',
    'project.proposals_via_project.freelancer.email'],
  milestones: ['project.owner.email', 'project.hired_freelancer.email',
    'project.proposals_via_project.freelancer.email'],
};

test('every sort that reaches a private field is refused with a message naming it', async () => {
  for (const [collection, paths] of Object.entries(PRIVATE_PATHS)) {
    for (const path of paths) {
      for (const sort of [path, `-${path}`, `+${path}`, `updated, ${path}`, `-created,${path},id`]) {
        const r = await listAs(people.mallory, collection, { sort });
        assert.equal(r.status, 400, `${collection}?sort=${sort} answered ${r.status}`);
        assert.match(r.message, /^Private fields can't be used to sort or filter: /);
        assert.ok(r.message.includes(path), `${r.message} names ${path}`);
      }
    }
  }
});

test('every filter that reaches a private field is refused, even inside a larger expression', async () => {
  for (const [collection, paths] of Object.entries(PRIVATE_PATHS)) {
    for (const path of paths) {
      for (const filter of [`${path} > "m"`, `(id != "" && ${path} ~ "q%")`, `${path}="a"||id!=""`,
        `id = "x" || ${path} != "it's \\" here"`]) {
        const r = await listAs(people.mallory, collection, { filter });
        assert.equal(r.status, 400, `${collection}?filter=${filter} answered ${r.status}`);
        assert.match(r.message, /^Private fields can't be used to sort or filter: /);
      }
    }
  }
});

test('the comparison on a relation path gets no answer either', async () => {
  const m = people.mallory, t = people.target;
  const cases = [
    ['projects', 'owner.email', people.targetProject.id, people.malloryProject.id],
    ['projects', '-owner.email', people.targetProject.id, people.malloryProject.id],
  ];
  const proposals = await m.pb.collection('proposals').getFullList({ sort: 'created' });
  const targetsProposal = proposals.find((p) => p.freelancer === t.id);
  const ownProposal = proposals.find((p) => p.freelancer === m.id);
  cases.push(['proposals', 'freelancer.email', targetsProposal.id, ownProposal.id]);
  for (const [collection, sort, targetId, probeId] of cases) {
    assert.equal(await targetSortsFirst(m, collection, sort, targetId, probeId), null,
      `${collection}?sort=${sort} answered`);
  }
});

test('the same paths with a public field at the end still sort and filter', async () => {
  const m = people.mallory;
  const publicPaths = {
    users: ['name', '-name', 'projects_via_owner.title', 'verified'],
    projects: ['owner.name', '-hired_freelancer.name', 'owner.headline', 'title'],
    proposals: ['freelancer.name', 'project.owner.name', 'project.title'],
    milestones: ['project.owner.name', 'project.hired_freelancer.name', 'title'],
  };
  for (const [collection, paths] of Object.entries(publicPaths)) {
    for (const sort of paths) {
      const r = await listAs(m, collection, { sort });
      assert.equal(r.status, 200, `${collection}?sort=${sort}: ${r.message}`);
    }
  }
  // sorted by the owner's name, the target's project comes after Mallory's ("Mallory" < "Target")
  const byOwner = await listAs(m, 'projects', {
    filter: `id = "${people.targetProject.id}" || id = "${people.malloryProject.id}"`, sort: 'owner.name' });
  assert.deepEqual(byOwner.items.map((p) => p.id), [people.malloryProject.id, people.targetProject.id]);

  const named = await listAs(m, 'projects', { filter: 'owner.name = "Target" && title ~ "email"' });
  assert.equal(named.status, 200);
  // "email" inside quoted text is a value, not a field
  const quoted = await listAs(m, 'projects', { filter: 'title != "owner.email" && title != \'email\'' });
  assert.equal(quoted.status, 200);
  assert.ok(quoted.items.length >= 2);
});

test('the app\'s own sync queries keep working', async () => {
  const m = people.mallory;
  for (const collection of ['users', 'projects', 'proposals', 'milestones']) {
    const full = await listAs(m, collection, { sort: 'updated,id', skipTotal: 1 });
    assert.equal(full.status, 200, `${collection}: ${full.message}`);
    assert.ok(full.items.length > 0, `${collection} has records for Mallory`);
    const last = full.items[full.items.length - 1];
    const after = `(updated > "${last.updated}" || (updated = "${last.updated}" && id > "${last.id}"))`;
    const next = await listAs(m, collection, { sort: 'updated,id', skipTotal: 1, filter: after });
    assert.equal(next.status, 200, `${collection}: ${next.message}`);
    assert.equal(next.items.length, 0);
    const since = await listAs(m, collection, { sort: 'updated,id', filter: `updated >= "${full.items[0].updated}"`, fields: 'id,updated' });
    assert.equal(since.status, 200);
    assert.equal(since.items.length, full.items.length);
  }
});

test('each user still sees their own email; others never see it', async () => {
  const m = people.mallory;
  const own = await m.pb.collection('users').getOne(m.id);
  assert.equal(own.email, 'mallory@example.com');
  const other = await m.pb.collection('users').getOne(people.target.id);
  assert.equal(other.email, undefined);
  const refreshed = await m.pb.collection('users').authRefresh();
  assert.equal(refreshed.record.email, 'mallory@example.com');
});

test('superusers may still sort and filter by email', async () => {
  const su = new PocketBase(server.url);
  su.autoCancellation(false);
  await su.collection('_superusers').authWithPassword(SUPERUSER.email, SUPERUSER.password);
  const users = await su.collection('users').getList(1, 50, { sort: '-email', filter: 'email ~ "example.com"' });
  const emails = users.items.map((u) => u.email);
  assert.deepEqual(emails, [...emails].sort().reverse());
  assert.ok(emails.includes('qtarget@example.com'));
  const projects = await su.collection('projects').getList(1, 50, { sort: 'owner.email' });
  assert.ok(projects.items.length >= 3);
});

test('a guest gets the same refusal, and an unknown collection stays 404', async () => {
  const guest = { pb: new PocketBase(server.url) };
  guest.pb.autoCancellation(false);
  const r = await listAs(guest, 'projects', { sort: 'owner.email' });
  assert.equal(r.status, 400);
  const missing = await listAs(people.mallory, 'nope', { sort: 'email' });
  assert.equal(missing.status, 404);
});

/* A raw realtime (SSE) connection as `who`, subscribed to `topics` (each `collection/*` with an
   optional filter). Collects every event; close() ends it. */
async function realtimeAs(who, topics) {
  const controller = new AbortController();
  const res = await fetch(`${server.url}/api/realtime`, { signal: controller.signal });
  assert.equal(res.status, 200);
  const events = [];
  let clientId = null;
  let buffer = '';
  const decoder = new TextDecoder();
  const reader = res.body.getReader();
  const pump = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const name = /^event:(.*)$/m.exec(block)?.[1];
          const data = /^data:(.*)$/m.exec(block)?.[1];
          if (name === 'PB_CONNECT') clientId = JSON.parse(data).clientId;
          else if (name) events.push({ topic: name, ...JSON.parse(data) });
        }
      }
    } catch { /* aborted */ }
  })();
  for (let i = 0; i < 100 && clientId === null; i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(clientId, 'PB_CONNECT arrived');
  const subscriptions = topics.map(({ topic, filter }) => filter
    ? `${topic}?options=${encodeURIComponent(JSON.stringify({ query: { filter } }))}` : topic);
  const sub = await fetch(`${server.url}/api/realtime`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: who.pb.authStore.token },
    body: JSON.stringify({ clientId, subscriptions }),
  });
  assert.equal(sub.status, 204, await sub.text());
  return {
    subscriptions,
    events,
    async close() { controller.abort(); await pump; },
  };
}

test('a realtime subscription filtered on a private field learns nothing', async () => {
  const m = people.mallory, t = people.target;
  // A user whose address a superuser made public: the same kind of filter matches them, so
  // the probes below would fire if PocketBase let the filter read a private address.
  const open = await signUp('Open', 'vopen@example.com');
  const su = new PocketBase(server.url);
  su.autoCancellation(false);
  await su.collection('_superusers').authWithPassword(SUPERUSER.email, SUPERUSER.password);
  await su.collection('users').update(open.id, { emailVisibility: true });
  // One control topic per collection (it proves events flow), and filters that hold exactly
  // when the target's address starts with "q" (it does): an event on those would answer.
  const rt = await realtimeAs(m, [
    { topic: 'users/*', filter: `id = "${t.id}"` },
    { topic: 'users/*', filter: 'email ~ "q%"' },
    { topic: 'users/*', filter: `id = "${t.id}" && email:lower >= "q"` },
    { topic: 'users/*', filter: 'email ~ "v%"' },
    { topic: 'projects/*', filter: `id = "${people.targetProject.id}"` },
    { topic: 'projects/*', filter: 'owner.email ~ "q%"' },
    { topic: 'projects/*', filter: `id = "${people.targetProject.id}" && owner.email > "p"` },
  ]);
  try {
    await t.pb.collection('users').update(t.id, { name: 'Target (renamed)' });
    await open.pb.collection('users').update(open.id, { name: 'Open (renamed)' });
    await t.pb.collection('projects').update(people.targetProject.id, { title: 'target work, renamed' });
    const [usersControl, ...usersProbes] = rt.subscriptions.slice(0, 3);
    const publicProbe = rt.subscriptions[3];
    const [projectsControl, ...projectsProbes] = rt.subscriptions.slice(4);
    for (let i = 0; i < 100; i++) {
      const topics = new Set(rt.events.map((e) => e.topic));
      if (topics.has(usersControl) && topics.has(projectsControl) && topics.has(publicProbe)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const seen = (topic) => rt.events.filter((e) => e.topic === topic);
    assert.equal(seen(usersControl).length, 1, 'the control subscription on users got the update');
    assert.equal(seen(projectsControl).length, 1, 'the control subscription on projects got the update');
    assert.equal(seen(usersControl)[0].record.email, undefined, 'and no address in it');
    assert.deepEqual(seen(publicProbe).map((e) => e.record.id), [open.id], 'a public address matches');
    // the same broadcast went to every subscription; give stragglers a moment anyway
    await new Promise((r) => setTimeout(r, 1000));
    for (const topic of [...usersProbes, ...projectsProbes])
      assert.deepEqual(seen(topic), [], `${decodeURIComponent(topic)} answered`);
  } finally {
    await rt.close();
  }
});
