// The access-rule matrix of pb/README.md, cell by cell, against a real PocketBase:
// owner (alice), hired freelancer (bob), rejected freelancer (carol), stranger (dave), guest.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Api, makeUser, must, startPocketBase, superuserApi } from './helpers.mjs';

let server, guest, su, alice, bob, carol, dave;
const P = {}; // projects
const Q = {}; // proposals
const M = {}; // milestones

before(async () => {
  server = await startPocketBase();
  guest = new Api(server.url);
  su = await superuserApi(server.url);
  [alice, bob, carol, dave] = await Promise.all(
    ['Alice', 'Bob', 'Carol', 'Dave'].map((n) => makeUser(server.url, n)));

  const project = async (title) => must(await alice.api.create('projects',
    { title, budget: 500, currency: 'EUR', status: 'open', owner: alice.id }), title).id;
  const propose = async (who, projectId) => must(await who.api.create('proposals',
    { project: projectId, freelancer: who.id, amount: 400, estimated_days: 5, status: 'sent',
      cover_letter: 'hello' }), 'proposal').id;

  // P1: bob hired, carol rejected, with milestones
  P.hired = await project('hired');
  Q.bob = await propose(bob, P.hired);
  Q.carol = await propose(carol, P.hired);
  must(await alice.api.update('proposals', Q.bob, { status: 'accepted' }), 'accept bob');
  for (const [key, title] of [['m1', 'design'], ['m2', 'build'], ['gone', 'dropped']])
    M[key] = must(await alice.api.create('milestones',
      { project: P.hired, title, amount: 100, status: 'pending' }), title).id;
  must(await alice.api.update('milestones', M.gone, { deleted: true }), 'delete milestone');

  // P2: open, dave proposed; P3: carol proposed, then alice deleted it; P4: cancelled
  P.open = await project('open');
  Q.dave = await propose(dave, P.open);
  P.deleted = await project('deleted');
  Q.carolOnDeleted = await propose(carol, P.deleted);
  must(await alice.api.update('projects', P.deleted, { deleted: true }), 'delete project');
  P.cancelled = await project('cancelled');
  must(await alice.api.update('projects', P.cancelled, { status: 'cancelled' }), 'cancel');
});

after(async () => { await server?.stop(); });

const actors = () => ({ alice: alice.api, bob: bob.api, carol: carol.api, dave: dave.api, guest });

async function listIds(api, col) {
  const r = await api.list(col);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return new Set(r.body.items.map((i) => i.id));
}

// Asserts who sees which records, through list and through view.
async function assertVisibility(col, records, expected) {
  for (const [who, api] of Object.entries(actors())) {
    const ids = await listIds(api, col);
    for (const [name, id] of Object.entries(records)) {
      const should = expected[who].includes(name);
      assert.equal(ids.has(id), should, `${who} list ${col}/${name}`);
      const v = await api.view(col, id);
      assert.equal(v.status, should ? 200 : 404, `${who} view ${col}/${name}`);
    }
  }
}

// --------------------------------------------------------------------------- projects
test('projects: list and view per role, deleted included for participants', async () => {
  await assertVisibility('projects', P, {
    alice: ['hired', 'open', 'deleted', 'cancelled'],
    bob: ['hired', 'open'],
    carol: ['hired', 'open', 'deleted'],
    dave: ['open'],
    guest: [],
  });
});

test('projects: create only as yourself, open, without a hired freelancer', async () => {
  const base = { title: 't', budget: 1, status: 'open' };
  for (const who of [alice, bob, carol, dave])
    assert.equal((await who.api.create('projects', { ...base, owner: who.id })).status, 200, who.email);
  assert.equal((await dave.api.create('projects', { ...base, owner: alice.id })).status, 400, 'forged owner');
  assert.equal((await guest.create('projects', { ...base, owner: alice.id })).status, 400, 'guest');
  assert.equal((await dave.api.create('projects', { ...base, owner: dave.id, status: 'in_progress' })).status, 400, 'status');
  assert.equal((await dave.api.create('projects', { ...base, owner: dave.id, hired_freelancer: bob.id })).status, 400, 'hired');
  const neg = await dave.api.create('projects', { ...base, owner: dave.id, budget: -5 });
  assert.equal(neg.status, 400);
  assert.equal(neg.body.data.budget.code, 'validation_min_number_constraint');
});

test('projects: only the owner updates, and never owner or hired_freelancer', async () => {
  assert.equal((await alice.api.update('projects', P.open, { title: 'open, edited' })).status, 200);
  for (const [who, api] of Object.entries(actors()))
    if (who !== 'alice')
      assert.equal((await api.update('projects', P.open, { title: who })).status, 404, who);
  assert.equal((await bob.api.update('projects', P.hired, { title: 'bob' })).status, 404, 'hired freelancer');
  assert.equal((await bob.api.update('projects', P.hired, { status: 'completed' })).status, 404, 'hired completes');
  assert.equal((await carol.api.update('projects', P.deleted, { deleted: false })).status, 404, 'proposer restores');
  assert.equal((await alice.api.update('projects', P.open, { owner: dave.id })).status, 404, 'forged owner');
  assert.equal((await alice.api.update('projects', P.open, { hired_freelancer: dave.id })).status, 404, 'forged hire');
  assert.equal((await alice.api.update('projects', P.open, { owner: alice.id, title: 'same owner' })).status, 200,
    'sending the unchanged owner is fine');
  const v = must(await alice.api.view('projects', P.open), 'view');
  assert.equal(v.owner, alice.id);
  assert.equal(v.hired_freelancer, '');
});

test('projects: status moves are checked by the server', async () => {
  const r = await alice.api.update('projects', P.open, { status: 'in_progress' });
  assert.equal(r.status, 400);
  assert.match(r.body.message, /accept a proposal/);
  const c = await alice.api.update('projects', P.cancelled, { status: 'completed' });
  assert.equal(c.status, 400);
  assert.match(c.body.message, /cancelled to completed/);
  const reopen = await alice.api.update('projects', P.hired, { status: 'open' });
  assert.equal(reopen.status, 400);
  assert.equal(must(await alice.api.view('projects', P.hired), 'view').status, 'in_progress');
});

test('projects: soft delete by the owner only, with deleted_at', async () => {
  const id = must(await alice.api.create('projects', { title: 'tmp', status: 'open', owner: alice.id }), 'tmp').id;
  assert.equal((await dave.api.update('projects', id, { deleted: true })).status, 404);
  const d = must(await alice.api.update('projects', id, { deleted: true }), 'soft delete');
  assert.equal(d.deleted, true);
  assert.match(d.deleted_at, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal((await dave.api.view('projects', id)).status, 404, 'strangers lose sight of it');
  const r = must(await alice.api.update('projects', id, { deleted: false }), 'restore');
  assert.equal(r.deleted_at, '');
});

test('projects: nobody but superusers hard-deletes', async () => {
  for (const [who, api] of Object.entries(actors())) {
    const r = await api.remove('projects', P.open);
    assert.equal(r.status, 403, who);
  }
  assert.equal((await alice.api.view('projects', P.open)).status, 200);
});

// --------------------------------------------------------------------------- proposals
test('proposals: visible to their freelancer and the project owner only', async () => {
  await assertVisibility('proposals', Q, {
    alice: ['bob', 'carol', 'dave', 'carolOnDeleted'],
    bob: ['bob'],
    carol: ['carol', 'carolOnDeleted'],
    dave: ['dave'],
    guest: [],
  });
});

test('proposals: create as yourself, sent, on an open project of someone else', async () => {
  const fresh = must(await alice.api.create('projects', { title: 'fresh', status: 'open', owner: alice.id }), 'fresh').id;
  const body = (who, over = {}) => ({ project: fresh, freelancer: who.id, amount: 10, status: 'sent', ...over });
  assert.equal((await dave.api.create('proposals', body(dave, { freelancer: carol.id }))).status, 400, 'forged freelancer');
  assert.equal((await dave.api.create('proposals', body(dave, { status: 'accepted' }))).status, 400, 'forged status');
  assert.equal((await alice.api.create('proposals', body(alice))).status, 400, 'own project');
  assert.equal((await guest.create('proposals', body(dave))).status, 400, 'guest');
  assert.equal((await dave.api.create('proposals', body(dave, { project: P.hired }))).status, 400, 'in progress');
  assert.equal((await dave.api.create('proposals', body(dave, { project: P.deleted }))).status, 400, 'deleted');
  assert.equal((await dave.api.create('proposals', body(dave, { project: P.cancelled }))).status, 400, 'cancelled');
  assert.equal((await dave.api.create('proposals', body(dave))).status, 200);
  const dup = await dave.api.create('proposals', body(dave));
  assert.equal(dup.status, 400, 'one live proposal per freelancer and project');
  assert.equal(dup.body.data.freelancer.code, 'validation_not_unique');
});

test('proposals: a withdrawn proposal no longer blocks a new one', async () => {
  const pid = must(await alice.api.create('projects', { title: 'again', status: 'open', owner: alice.id }), 'p').id;
  const first = must(await dave.api.create('proposals', { project: pid, freelancer: dave.id, status: 'sent' }), 'first').id;
  must(await dave.api.update('proposals', first, { status: 'withdrawn' }), 'withdraw');
  must(await dave.api.create('proposals', { project: pid, freelancer: dave.id, status: 'sent' }), 'second');
});

test('proposals: the freelancer edits while sent and may withdraw, nothing else', async () => {
  assert.equal((await dave.api.update('proposals', Q.dave, { cover_letter: 'better' })).status, 200);
  assert.equal((await dave.api.update('proposals', Q.dave, { status: 'accepted' })).status, 404, 'self-accept');
  assert.equal((await dave.api.update('proposals', Q.dave, { status: 'rejected' })).status, 404, 'self-reject');
  assert.equal((await dave.api.update('proposals', Q.dave, { project: P.hired })).status, 404, 'move project');
  assert.equal((await dave.api.update('proposals', Q.dave, { freelancer: carol.id })).status, 404, 'forged freelancer');
  for (const who of ['bob', 'carol', 'guest'])
    assert.equal((await actors()[who].update('proposals', Q.dave, { cover_letter: who })).status, 404, who);
  // accepted and rejected proposals are frozen for their freelancer
  const b = await bob.api.update('proposals', Q.bob, { amount: 1 });
  assert.equal(b.status, 400);
  assert.match(b.body.message, /accepted/);
  const c = await carol.api.update('proposals', Q.carol, { status: 'withdrawn' });
  assert.equal(c.status, 400);
  assert.match(c.body.message, /rejected/);
  assert.equal(must(await alice.api.view('proposals', Q.carol), 'view').status, 'rejected');
});

test('proposals: only the owner accepts or rejects, and changes nothing else', async () => {
  const pid = must(await alice.api.create('projects', { title: 'decide', status: 'open', owner: alice.id }), 'p').id;
  const dq = must(await dave.api.create('proposals', { project: pid, freelancer: dave.id, amount: 5, status: 'sent' }), 'dq').id;
  assert.equal((await alice.api.update('proposals', dq, { amount: 1 })).status, 404, 'owner edits amount');
  assert.equal((await alice.api.update('proposals', dq, { status: 'rejected', project: P.open })).status, 404, 'moves it');
  assert.equal((await alice.api.update('proposals', dq, { status: 'rejected', freelancer: bob.id })).status, 404,
    'forged freelancer');
  assert.equal((await alice.api.update('proposals', dq, { status: 'rejected', amount: 1 })).status, 404, 'reject + edit');
  assert.equal((await alice.api.update('proposals', dq, { status: 'withdrawn' })).status, 404, 'owner withdraws');
  assert.equal((await bob.api.update('proposals', dq, { status: 'rejected' })).status, 404, 'stranger rejects');
  assert.equal((await alice.api.update('proposals', dq, { status: 'rejected' })).status, 200);
  const again = await alice.api.update('proposals', dq, { status: 'accepted' });
  assert.equal(again.status, 400, 'a rejected proposal cannot be accepted later');
});

test('proposals: soft delete while sent; never hard-deleted', async () => {
  const pid = must(await alice.api.create('projects', { title: 'sd', status: 'open', owner: alice.id }), 'p').id;
  const q = must(await dave.api.create('proposals', { project: pid, freelancer: dave.id, status: 'sent' }), 'q').id;
  assert.equal((await alice.api.update('proposals', q, { deleted: true })).status, 404, 'owner deletes it');
  const d = must(await dave.api.update('proposals', q, { deleted: true }), 'delete');
  assert.equal(d.deleted, true);
  assert.notEqual(d.deleted_at, '');
  assert.equal((await alice.api.view('proposals', q)).status, 200, 'the owner still learns of it');
  const acc = await alice.api.update('proposals', q, { status: 'accepted' });
  assert.equal(acc.status, 400);
  assert.match(acc.body.message, /deleted/);
  for (const [who, api] of Object.entries(actors()))
    assert.equal((await api.remove('proposals', Q.dave)).status, 403, who);
});

// --------------------------------------------------------------------------- milestones
test('milestones: visible to the owner and the hired freelancer only, deleted included', async () => {
  await assertVisibility('milestones', M, {
    alice: ['m1', 'm2', 'gone'],
    bob: ['m1', 'm2', 'gone'],
    carol: [],
    dave: [],
    guest: [],
  });
});

test('milestones: only the owner creates, pending', async () => {
  const body = { project: P.hired, title: 'extra', amount: 10, status: 'pending' };
  assert.equal((await bob.api.create('milestones', body)).status, 400, 'hired freelancer');
  assert.equal((await carol.api.create('milestones', body)).status, 400, 'rejected freelancer');
  assert.equal((await dave.api.create('milestones', body)).status, 400, 'stranger');
  assert.equal((await guest.create('milestones', body)).status, 400, 'guest');
  assert.equal((await alice.api.create('milestones', { ...body, status: 'approved' })).status, 400, 'forged status');
  assert.equal((await alice.api.create('milestones', { ...body, project: P.deleted })).status, 400, 'deleted project');
  assert.equal((await alice.api.create('milestones', body)).status, 200);
});

test('milestones: the freelancer moves work forward, only the owner approves', async () => {
  const mid = must(await alice.api.create('milestones',
    { project: P.hired, title: 'flow', amount: 10, status: 'pending' }), 'm').id;
  const move = (api, status) => api.update('milestones', mid, { status });

  assert.equal((await move(alice.api, 'submitted')).status, 404, 'owner submits');
  const ownerStart = await move(alice.api, 'in_progress');
  assert.equal(ownerStart.status, 400, 'owner starts the freelancer\'s work');
  assert.match(ownerStart.body.message, /pending to in_progress/);
  const skip = await move(bob.api, 'submitted');
  assert.equal(skip.status, 400, 'pending -> submitted skips a step');
  assert.equal((await move(carol.api, 'in_progress')).status, 404, 'rejected freelancer');
  assert.equal((await move(dave.api, 'in_progress')).status, 404, 'stranger');
  assert.equal((await move(guest, 'in_progress')).status, 404, 'guest');

  assert.equal((await move(bob.api, 'in_progress')).status, 200);
  assert.equal((await bob.api.update('milestones', mid, { title: 'renamed' })).status, 404, 'freelancer edits');
  assert.equal((await bob.api.update('milestones', mid, { status: 'submitted', amount: 1e6 })).status, 404,
    'status + amount');
  assert.equal((await move(bob.api, 'submitted')).status, 200);
  assert.equal((await move(alice.api, 'in_progress')).status, 200, 'owner asks for changes');
  assert.equal((await move(bob.api, 'submitted')).status, 200);
  assert.equal((await move(bob.api, 'in_progress')).status, 200, 'freelancer takes it back');
  assert.equal((await move(bob.api, 'submitted')).status, 200);
  assert.equal((await move(bob.api, 'approved')).status, 404, 'freelancer approves');
  for (const [who, api] of Object.entries({ carol: carol.api, dave: dave.api, guest }))
    assert.equal((await move(api, 'approved')).status, 404, `${who} approves`);
  assert.equal((await move(alice.api, 'approved')).status, 200);
  const v = must(await bob.api.view('milestones', mid), 'view');
  assert.equal(v.status, 'approved');
  assert.equal(v.amount, 10);
});

test('milestones: the owner edits and soft-deletes; the freelancer cannot', async () => {
  assert.equal((await alice.api.update('milestones', M.m2, { title: 'build v2', amount: 150 })).status, 200);
  assert.equal((await alice.api.update('milestones', M.m2, { project: P.open })).status, 404, 'move project');
  for (const [who, api] of Object.entries(actors()))
    if (who !== 'alice') {
      assert.equal((await api.update('milestones', M.m2, { deleted: true })).status, 404, `${who} deletes`);
      assert.equal((await api.update('milestones', M.m2, { title: who })).status, 404, `${who} edits`);
    }
  const soft = must(await alice.api.update('milestones', M.m2, { deleted: true }), 'owner deletes');
  assert.notEqual(soft.deleted_at, '');
  must(await alice.api.update('milestones', M.m2, { deleted: false }), 'owner restores');
  assert.equal((await bob.api.update('milestones', M.gone, { status: 'in_progress' })).status, 404,
    'deleted milestone');
  for (const [who, api] of Object.entries(actors()))
    assert.equal((await api.remove('milestones', M.m1)).status, 403, who);
});

// --------------------------------------------------------------------------- users
test('users: profiles visible to signed-in users, emails hidden', async () => {
  const r = await dave.api.view('users', alice.id);
  assert.equal(r.status, 200);
  assert.equal(r.body.name, 'Alice');
  assert.equal(r.body.email, undefined, 'email hidden from others');
  const self = must(await alice.api.view('users', alice.id), 'self');
  assert.equal(self.email, alice.email);
  const ids = await listIds(dave.api, 'users');
  assert.ok(ids.has(alice.id) && ids.has(bob.id));
  assert.equal((await listIds(guest, 'users')).size, 0);
  assert.equal((await guest.view('users', alice.id)).status, 404);
});

test('users: public email can be turned on by nobody; edits only on yourself', async () => {
  const r = await guest.create('users', { email: 'eve@example.com', password: 'eve-pass-123456',
    passwordConfirm: 'eve-pass-123456', emailVisibility: true });
  assert.equal(r.status, 400);
  assert.equal((await alice.api.update('users', alice.id, { emailVisibility: true })).status, 404);
  const ok = must(await alice.api.update('users', alice.id, { headline: 'Client', skills: ['hiring'] }), 'profile');
  assert.equal(ok.headline, 'Client');
  assert.deepEqual(ok.skills, ['hiring']);
  assert.equal((await alice.api.update('users', bob.id, { headline: 'hacked' })).status, 404);
  for (const skills of ['hiring', [1, 2], [''], Array(31).fill('x'), { a: 1 }]) {
    const bad = await alice.api.update('users', alice.id, { skills });
    assert.equal(bad.status, 400, JSON.stringify(skills));
    assert.equal(bad.body.data.skills.code, 'validation_invalid_skills');
  }
  const noSkills = must(await alice.api.update('users', alice.id, { skills: null }), 'clear skills');
  assert.equal(noSkills.skills, null);
  for (const [who, api] of Object.entries(actors()))
    assert.equal((await api.remove('users', bob.id)).status, 403, who);
});

test('users: auth tokens last 14 days', async () => {
  const payload = JSON.parse(Buffer.from(alice.token.split('.')[1], 'base64url').toString());
  const life = payload.exp - Math.floor(Date.now() / 1000);
  assert.ok(life > 13 * 86400 && life <= 14 * 86400, `token lifetime ${life}`);
});

// --------------------------------------------------------------------------- chat_jobs
test('chat_jobs: superusers only', async () => {
  const jobs = must(await su.list('chat_jobs'), 'superuser list');
  assert.ok(jobs.items.length > 0);
  const id = jobs.items[0].id;
  for (const [who, api] of Object.entries(actors())) {
    assert.equal((await api.list('chat_jobs')).status, 403, `${who} list`);
    assert.equal((await api.view('chat_jobs', id)).status, 403, `${who} view`);
    assert.equal((await api.create('chat_jobs', { kind: 'freeze', channel: 'x', requests: [], state: 'pending' })).status,
      403, `${who} create`);
    assert.equal((await api.update('chat_jobs', id, { state: 'done' })).status, 403, `${who} update`);
    assert.equal((await api.remove('chat_jobs', id)).status, 403, `${who} delete`);
  }
});

// --------------------------------------------------------------------------- batch
test('batch: enabled, rules apply to each request, all or nothing', async () => {
  const ok = await alice.api.post('/api/batch', { requests: [
    { method: 'POST', url: '/api/collections/projects/records',
      body: { id: 'batchproject001', title: 'batch', status: 'open', owner: alice.id } },
    { method: 'POST', url: '/api/collections/milestones/records',
      body: { project: 'batchproject001', title: 'first', status: 'pending' } },
  ] });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.deepEqual(ok.body.map((r) => r.status), [200, 200]);

  const bad = await dave.api.post('/api/batch', { requests: [
    { method: 'POST', url: '/api/collections/projects/records',
      body: { id: 'batchproject002', title: 'mine', status: 'open', owner: dave.id } },
    { method: 'POST', url: '/api/collections/projects/records',
      body: { id: 'batchproject003', title: 'forged', status: 'open', owner: alice.id } },
  ] });
  assert.equal(bad.status, 400);
  assert.equal((await dave.api.view('projects', 'batchproject002')).status, 404, 'rolled back');
});
