// sync_departures: every way a record leaves a user's view writes a row that user (and only
// they, or everyone for public records) can list, in the transaction of the change; every way
// a record enters a view without being written itself re-stamps it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { makeUser, must, startPocketBase, superuserApi } from './helpers.mjs';

let server, su, alice, bob, carol, dave;

before(async () => {
  server = await startPocketBase();
  su = await superuserApi(server.url);
  [alice, bob, carol, dave] = await Promise.all(
    ['Alice', 'Bob', 'Carol', 'Dave'].map((n) => makeUser(server.url, n)));
});

after(async () => { await server?.stop(); });

const q = (filter) => `&filter=${encodeURIComponent(filter)}&sort=updated,id`;

// The departures `user` can list for one record.
async function departuresOf(user, source, id) {
  const r = must(await user.api.list('sync_departures', q(`source = "${source}" && record = "${id}"`)), 'departures');
  return r.items;
}

async function openProject(title, owner = alice) {
  return must(await owner.api.create('projects',
    { title, budget: 100, status: 'open', owner: owner.id }), 'project');
}

test('a project that stops being open departs for everyone, with its new stamp', async () => {
  const p = await openProject('cancel me');
  assert.deepEqual(await departuresOf(dave, 'projects', p.id), [], 'nothing while it is open');
  const cancelled = must(await alice.api.update('projects', p.id, { status: 'cancelled' }), 'cancel');
  for (const who of [bob, dave, alice]) {
    const rows = await departuresOf(who, 'projects', p.id);
    assert.equal(rows.length, 1, 'one row, readable by every signed-in user');
    assert.equal(rows[0].everyone, true);
    assert.equal(rows[0].record_updated, cancelled.updated);
  }
  // dave can no longer list the project: that is what the row tells his cache
  const listed = must(await dave.api.list('projects', q(`id = "${p.id}"`)), 'list');
  assert.equal(listed.items.length, 0);
  // edits that keep it private write nothing more; reopening is an ordinary (stamped) update
  must(await alice.api.update('projects', p.id, { title: 'still cancelled' }), 'edit');
  assert.equal((await departuresOf(dave, 'projects', p.id)).length, 1);
  must(await alice.api.update('projects', p.id, { status: 'open' }), 'reopen');
  must(await alice.api.update('projects', p.id, { deleted: true }), 'soft delete');
  assert.equal((await departuresOf(dave, 'projects', p.id)).length, 2, 'a soft delete of an open project departs');
});

test('hiring departs the project for everyone and re-stamps the milestones for the freelancer', async () => {
  const p = await openProject('hire');
  const m = must(await alice.api.create('milestones',
    { project: p.id, title: 'm1', status: 'pending', position: 1 }), 'milestone');
  const proposal = must(await bob.api.create('proposals',
    { project: p.id, freelancer: bob.id, amount: 90, status: 'sent' }), 'proposal');
  must(await alice.api.update('proposals', proposal.id, { status: 'accepted' }), 'accept');
  assert.equal((await departuresOf(carol, 'projects', p.id)).length, 1);
  const seen = must(await bob.api.view('milestones', m.id), 'bob sees the milestone');
  assert.ok(seen.updated > m.updated, 'the milestone was re-stamped by the hire');
  assert.deepEqual(await departuresOf(bob, 'milestones', m.id), [], 'no milestone departs on a first hire');
});

test('a hard delete departs for exactly those who saw the record', async () => {
  const p = await openProject('private children');
  const proposal = must(await bob.api.create('proposals',
    { project: p.id, freelancer: bob.id, amount: 90, status: 'sent' }), 'proposal');
  const m = must(await alice.api.create('milestones',
    { project: p.id, title: 'm', status: 'pending', position: 1 }), 'milestone');
  must(await su.remove('proposals', proposal.id).then((r) => ({ status: r.status === 204 ? 200 : r.status, body: r.body })), 'delete proposal');
  must(await su.remove('milestones', m.id).then((r) => ({ status: r.status === 204 ? 200 : r.status, body: r.body })), 'delete milestone');

  for (const who of [alice, bob])
    assert.equal((await departuresOf(who, 'proposals', proposal.id)).length, 1, `${who.email} saw the proposal`);
  for (const who of [carol, dave])
    assert.equal((await departuresOf(who, 'proposals', proposal.id)).length, 0, `${who.email} never saw it`);
  assert.equal((await departuresOf(alice, 'milestones', m.id)).length, 1);
  assert.equal((await departuresOf(bob, 'milestones', m.id)).length, 0);
  // bob may have seen the project only through his proposal: the project is re-checked for him
  assert.equal((await departuresOf(bob, 'projects', p.id)).length, 1);
  assert.equal((await departuresOf(carol, 'projects', p.id)).length, 0);

  must(await su.remove('projects', p.id).then((r) => ({ status: r.status === 204 ? 200 : r.status, body: r.body })), 'delete project');
  const rows = await departuresOf(carol, 'projects', p.id);
  assert.equal(rows.length, 1, 'an open project departs for everyone');
  assert.equal(rows[0].everyone, true);
});

test('a superuser moving relations departs the old side and re-stamps for the new side', async () => {
  const p = must(await alice.api.create('projects', { title: 'moved', status: 'open', owner: alice.id }), 'p');
  const proposal = must(await bob.api.create('proposals',
    { project: p.id, freelancer: bob.id, amount: 1, status: 'sent' }), 'proposal');
  const m = must(await alice.api.create('milestones',
    { project: p.id, title: 'm', status: 'pending', position: 1 }), 'milestone');
  must(await alice.api.update('projects', p.id, { status: 'cancelled' }), 'cancel');

  // the project changes hands: alice loses it and its children, dave gains them
  must(await su.update('projects', p.id, { owner: dave.id }), 'move owner');
  assert.equal((await departuresOf(alice, 'projects', p.id)).length, 2, 'cancel (everyone) and the move');
  assert.equal((await departuresOf(alice, 'proposals', proposal.id)).length, 1);
  assert.equal((await departuresOf(alice, 'milestones', m.id)).length, 1);
  const mine = must(await dave.api.list('milestones', q(`updated > "${m.updated}"`)), 'dave pulls');
  assert.ok(mine.items.some((x) => x.id === m.id), 'the milestone reaches the new owner\'s incremental pull');
  const props = must(await dave.api.list('proposals', q(`updated > "${proposal.updated}"`)), 'dave pulls');
  assert.ok(props.items.some((x) => x.id === proposal.id), 'so does the proposal');

  // a proposal moved to carol: bob loses it (and the cancelled project), carol gains the project
  const before = must(await su.view('projects', p.id), 'p');
  must(await su.update('proposals', proposal.id, { freelancer: carol.id }), 'move proposal');
  assert.equal((await departuresOf(bob, 'proposals', proposal.id)).length, 1);
  assert.ok((await departuresOf(bob, 'projects', p.id)).length >= 1);
  const gained = must(await carol.api.list('projects', q(`updated > "${before.updated}"`)), 'carol pulls');
  assert.ok(gained.items.some((x) => x.id === p.id), 'the cancelled project reaches carol\'s incremental pull');
});

test('nobody but the server writes departures', async () => {
  const r = await dave.api.create('sync_departures', { source: 'projects', record: 'aaaaaaaaaaaaaaa', everyone: true });
  assert.equal(r.status, 403);
  const guest = await fetch(`${server.url}/api/collections/sync_departures/records`).then((x) => x.json());
  assert.deepEqual(guest.items, []);
});
