// Agreements on milestones, through the official PocketBase JS SDK against a real server: for
// every state a milestone can be in and every role — the project's owner (alice), the hired
// freelancer (bob), another signed-in user (dave) and a guest — which edits and which status
// moves the server takes, and that a refused write leaves the record exactly as it was.
// The table this asserts is in pb/README.md ("Milestone agreements").
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import PocketBase from 'pocketbase';
import { PASSWORD, makeUser, startPocketBase } from './helpers.mjs';

let server;
const sdk = {}; // role -> PocketBase client
let projectId;

function client(url) {
  const pb = new PocketBase(url);
  pb.autoCancellation(false);
  return pb;
}

before(async () => {
  server = await startPocketBase();
  const [alice, bob, dave] = await Promise.all(['Alice', 'Bob', 'Dave'].map((n) => makeUser(server.url, n)));
  for (const [role, user] of [['owner', alice], ['hired', bob], ['other', dave]]) {
    sdk[role] = client(server.url);
    await sdk[role].collection('users').authWithPassword(user.email, PASSWORD);
  }
  sdk.guest = client(server.url);

  const project = await sdk.owner.collection('projects').create(
    { title: 'Logo', budget: 2000, currency: 'EUR', status: 'open', owner: alice.id });
  projectId = project.id;
  const proposal = await sdk.hired.collection('proposals').create(
    { project: projectId, freelancer: bob.id, amount: 1800, estimated_days: 10, status: 'sent', cover_letter: 'hi' });
  await sdk.owner.collection('proposals').update(proposal.id, { status: 'accepted' });
});

after(async () => { await server?.stop(); });

// The path of moves that brings a new (pending) milestone to each state, and who makes them.
const PATH = {
  pending: [],
  in_progress: [['hired', 'in_progress']],
  submitted: [['hired', 'in_progress'], ['hired', 'submitted']],
  approved: [['hired', 'in_progress'], ['hired', 'submitted'], ['owner', 'approved']],
};
const STATES = Object.keys(PATH);

async function milestoneIn(state) {
  const m = await sdk.owner.collection('milestones').create({
    project: projectId, title: 'Final logo', description: 'vector files', amount: 1200,
    due_date: '2026-12-20 00:00:00.000Z', position: 1, status: 'pending',
  });
  for (const [role, status] of PATH[state])
    await sdk[role].collection('milestones').update(m.id, { status });
  return sdk.owner.collection('milestones').getOne(m.id);
}

// Tries an update; returns {status: 200} or the server's refusal {status, message}.
async function attempt(role, id, body) {
  try {
    await sdk[role].collection('milestones').update(id, body);
    return { status: 200 };
  } catch (err) {
    return { status: err.status, message: err.response?.message ?? '' };
  }
}

const KEEP = ['title', 'description', 'amount', 'due_date', 'position', 'status', 'deleted'];
async function assertUnchanged(before, what) {
  const now = await sdk.owner.collection('milestones').getOne(before.id);
  for (const key of KEEP)
    assert.deepEqual(now[key], before[key], `${what}: ${key} changed by a refused write`);
}

const EDITS = {
  title: { title: 'Renamed' },
  amount: { amount: 1 },
  due_date: { due_date: '2027-06-01 00:00:00.000Z' },
  description: { description: 'also a favicon' },
  position: { position: 7 },
  deleted: { deleted: true },
};
const TERMS = new Set(['title', 'amount', 'due_date', 'deleted']);

test('milestone edits: terms are the owner\'s while pending and frozen after; others never edit', async () => {
  for (const state of STATES) {
    for (const [field, body] of Object.entries(EDITS)) {
      for (const role of ['owner', 'hired', 'other', 'guest']) {
        const m = await milestoneIn(state);
        const what = `${role} edits ${field} of a ${state} milestone`;
        const r = await attempt(role, m.id, body);
        if (role !== 'owner') {
          assert.equal(r.status, 404, what);
          await assertUnchanged(m, what);
          continue;
        }
        if (state === 'pending' || !TERMS.has(field)) {
          assert.equal(r.status, 200, `${what}: ${r.message}`);
          continue;
        }
        assert.equal(r.status, 400, what);
        assert.match(r.message, field === 'deleted' ? /can't be deleted/ : /title, amount and due date were agreed/, what);
        await assertUnchanged(m, what);
      }
    }
  }
});

test('milestone edits: a frozen field sent unchanged, beside an allowed change, is accepted', async () => {
  const m = await milestoneIn('approved');
  const r = await attempt('owner', m.id, { title: m.title, amount: m.amount, description: 'paid' });
  assert.equal(r.status, 200, r.message);
  const r2 = await attempt('owner', m.id, { amount: m.amount + 0.5, description: 'changed again' });
  assert.equal(r2.status, 400);
  const now = await sdk.owner.collection('milestones').getOne(m.id);
  assert.equal(now.description, 'paid', 'nothing of a refused request is saved');
});

// Which role may move a milestone from one status to another; everything else is refused.
const MOVES = {
  'pending>in_progress': ['hired'],
  'in_progress>submitted': ['hired'],
  'submitted>in_progress': ['owner', 'hired'], // Request Changes (owner) or taking it back (freelancer)
  'submitted>approved': ['owner'],
};

test('milestone status moves by role, from every state to every other', async () => {
  for (const from of STATES) {
    for (const to of STATES) {
      if (from === to) continue;
      for (const role of ['owner', 'hired', 'other', 'guest']) {
        const m = await milestoneIn(from);
        const what = `${role} moves ${from} -> ${to}`;
        const r = await attempt(role, m.id, { status: to });
        if ((MOVES[`${from}>${to}`] ?? []).includes(role)) {
          assert.equal(r.status, 200, `${what}: ${r.message}`);
          const now = await sdk.owner.collection('milestones').getOne(m.id);
          assert.equal(now.status, to, what);
        } else {
          assert.ok(r.status === 400 || r.status === 404, `${what}: refused, got ${r.status}`);
          await assertUnchanged(m, what);
        }
      }
    }
  }
});

test('milestone terms: a batch that changes a started milestone is refused as a whole', async () => {
  const pending = await milestoneIn('pending');
  const approved = await milestoneIn('approved');
  const batch = sdk.owner.createBatch();
  batch.collection('milestones').update(pending.id, { title: 'Sketches, revised' });
  batch.collection('milestones').update(approved.id, { amount: 1 });
  await assert.rejects(batch.send(), (err) => err.status === 400);
  await assertUnchanged(pending, 'the batch\'s other write');
  await assertUnchanged(approved, 'the approved milestone');
});
