// Server-side domain logic: proposal acceptance in one transaction and the chat token route.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Api, makeUser, must, startPocketBase, superuserApi, verifyJwt } from './helpers.mjs';

const SECRET = 'test-stream-secret-0123456789abcdef';
const STREAM_ENV = {
  STREAM_API_KEY: 'test_key',
  STREAM_API_SECRET: SECRET,
  // nothing listens there: chat delivery fails, which must not matter to these writes
  STREAM_BASE_URL: 'http://127.0.0.1:9',
  STREAM_TOKEN_TTL: '120',
};

let server, su, alice, bob, carol, dave;

before(async () => {
  server = await startPocketBase({ env: STREAM_ENV });
  su = await superuserApi(server.url);
  [alice, bob, carol, dave] = await Promise.all(
    ['Alice', 'Bob', 'Carol', 'Dave'].map((n) => makeUser(server.url, n)));
});

after(async () => { await server?.stop(); });

async function projectWithProposals(title, freelancers) {
  const project = must(await alice.api.create('projects',
    { title, budget: 100, status: 'open', owner: alice.id }), 'project').id;
  const proposals = [];
  for (const f of freelancers)
    proposals.push(must(await f.api.create('proposals',
      { project, freelancer: f.id, amount: 90, status: 'sent' }), 'proposal').id);
  return { project, proposals };
}

test('accepting hires, starts the project and rejects the other sent proposals', async () => {
  const { project, proposals: [qb, qc, qd] } = await projectWithProposals('logo', [bob, carol, dave]);
  must(await dave.api.update('proposals', qd, { status: 'withdrawn' }), 'dave withdraws');

  const acc = must(await alice.api.update('proposals', qb, { status: 'accepted' }), 'accept');
  assert.equal(acc.status, 'accepted');

  const p = must(await alice.api.view('projects', project), 'project');
  assert.equal(p.status, 'in_progress');
  assert.equal(p.hired_freelancer, bob.id);
  assert.equal(must(await carol.api.view('proposals', qc), 'carol').status, 'rejected');
  assert.equal(must(await dave.api.view('proposals', qd), 'dave').status, 'withdrawn', 'withdrawn stays withdrawn');

  // the hired freelancer now sees the milestones; a second acceptance is refused
  const second = await alice.api.update('proposals', qc, { status: 'accepted' });
  assert.equal(second.status, 400);
  assert.match(second.body.message, /rejected/);
});

test('accepting on a project that is no longer open is refused with a reason', async () => {
  const { project, proposals: [qb] } = await projectWithProposals('late', [bob]);
  must(await alice.api.update('projects', project, { status: 'cancelled' }), 'cancel');
  const r = await alice.api.update('proposals', qb, { status: 'accepted' });
  assert.equal(r.status, 400);
  assert.match(r.body.message, /cancelled/);
  assert.equal(must(await alice.api.view('projects', project), 'p').hired_freelancer, '');

  const { project: gone, proposals: [qc] } = await projectWithProposals('gone', [carol]);
  must(await alice.api.update('projects', gone, { deleted: true }), 'delete');
  const d = await alice.api.update('proposals', qc, { status: 'accepted' });
  assert.equal(d.status, 400);
  assert.match(d.body.message, /deleted/);
});

test('acceptance is one transaction: a failing step leaves nothing half done', async () => {
  const { project, proposals: [qb, qc] } = await projectWithProposals('a title too long', [bob, carol]);
  const jobsBefore = must(await su.list('chat_jobs', `&filter=${encodeURIComponent(`channel="project-${project}"`)}`), 'jobs').items.length;

  // Make the project itself fail validation when the hook saves it (title now too long).
  const col = must(await su.get('/api/collections/projects'), 'collection');
  const title = col.fields.find((f) => f.name === 'title');
  const setMax = (max) => su.patch('/api/collections/projects',
    { fields: col.fields.map((f) => (f.name === 'title' ? { ...title, max } : f)) });
  must(await setMax(3), 'narrow title');
  let r;
  try {
    r = await alice.api.update('proposals', qb, { status: 'accepted' });
  } finally {
    must(await setMax(title.max), 'restore title');
  }
  assert.equal(r.status, 400, JSON.stringify(r.body));

  assert.equal(must(await alice.api.view('proposals', qb), 'bob').status, 'sent', 'acceptance rolled back');
  assert.equal(must(await alice.api.view('proposals', qc), 'carol').status, 'sent', 'rejection rolled back');
  const p = must(await alice.api.view('projects', project), 'project');
  assert.equal(p.status, 'open');
  assert.equal(p.hired_freelancer, '');
  const jobsAfter = must(await su.list('chat_jobs', `&filter=${encodeURIComponent(`channel="project-${project}"`)}`), 'jobs').items.length;
  assert.equal(jobsAfter, jobsBefore, 'no chat job queued for a rolled-back hire');

  // and with the schema back, the same acceptance goes through
  must(await alice.api.update('proposals', qb, { status: 'accepted' }), 'accept');
  assert.equal(must(await alice.api.view('proposals', qc), 'carol').status, 'rejected');
});

test('acceptance inside a batch applies its side effects in the batch transaction', async () => {
  const { project, proposals: [qb, qc] } = await projectWithProposals('batch', [bob, carol]);
  const r = await alice.api.post('/api/batch', { requests: [
    { method: 'PATCH', url: `/api/collections/proposals/records/${qb}`, body: { status: 'accepted' } },
    { method: 'POST', url: '/api/collections/milestones/records',
      body: { project, title: 'kick-off', status: 'pending' } },
  ] });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const p = must(await bob.api.view('projects', project), 'project');
  assert.equal(p.hired_freelancer, bob.id);
  assert.equal(must(await carol.api.view('proposals', qc), 'carol').status, 'rejected');
  const ms = must(await bob.api.list('milestones', `&filter=${encodeURIComponent(`project="${project}"`)}`), 'ms');
  assert.equal(ms.items.length, 1, 'the hired freelancer sees the milestone');
});

test('concurrent acceptances on one project hire exactly one freelancer', async () => {
  for (let round = 0; round < 8; round++) {
    const { project, proposals: [qb, qc] } = await projectWithProposals(`race ${round}`, [bob, carol]);
    const results = await Promise.all([qb, qc].map((q) => alice.api.update('proposals', q, { status: 'accepted' })));
    assert.deepEqual(results.map((r) => r.status).sort(), [200, 400], JSON.stringify(results.map((r) => r.body)));
    const states = await Promise.all([qb, qc].map(async (q) => must(await alice.api.view('proposals', q), 'q').status));
    assert.deepEqual([...states].sort(), ['accepted', 'rejected']);
    const winner = states[0] === 'accepted' ? bob : carol;
    const p = must(await alice.api.view('projects', project), 'project');
    assert.equal(p.hired_freelancer, winner.id);
  }
});

test('chat token: a Stream user token signed with the secret, for signed-in users only', async () => {
  const r = await bob.api.get('/api/chat/token');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(Object.keys(r.body).sort(), ['api_key', 'base_url', 'expires_at', 'token', 'user_id']);
  assert.equal(r.body.api_key, 'test_key');
  assert.equal(r.body.user_id, bob.id);
  assert.equal(r.body.base_url, 'http://127.0.0.1:9');
  assert.ok(!JSON.stringify(r.body).includes(SECRET), 'the secret never leaves the server');

  const claims = verifyJwt(r.body.token, SECRET);
  assert.equal(claims.user_id, bob.id);
  assert.equal(claims.exp - claims.iat, 120, 'STREAM_TOKEN_TTL');
  assert.equal(claims.exp, r.body.expires_at);
  assert.ok(Math.abs(claims.iat - Date.now() / 1000) < 300);
  assert.throws(() => verifyJwt(r.body.token, 'another-secret'), /bad signature/);

  assert.equal((await new Api(server.url).get('/api/chat/token')).status, 401, 'guest');
  assert.equal((await new Api(server.url, 'garbage').get('/api/chat/token')).status, 401, 'bad token');
  assert.equal((await su.get('/api/chat/token')).status, 403, 'superuser is not a chat user');
});

test('chat token: 503 with a clear message when Stream is not configured', async () => {
  const bare = await startPocketBase();
  try {
    const u = await makeUser(bare.url, 'Nochat');
    const r = await u.api.get('/api/chat/token');
    assert.equal(r.status, 503);
    assert.match(r.body.message, /STREAM_API_KEY/);
    // the rest of the server works without Stream
    must(await u.api.create('projects', { title: 'still fine', status: 'open', owner: u.id }), 'create');
  } finally {
    await bare.stop();
  }
});

test('hiring brings the project\'s earlier milestones into the freelancer\'s incremental pull', async () => {
  const { project, proposals: [qb] } = await projectWithProposals('site', [bob]);
  const planned = must(await alice.api.create('milestones',
    { project, title: 'Wireframes', amount: 40, position: 1, status: 'pending' }), 'milestone');
  const dropped = must(await alice.api.create('milestones',
    { project, title: 'Dropped', amount: 10, position: 2, status: 'pending' }), 'milestone');
  must(await alice.api.update('milestones', dropped.id, { deleted: true }), 'soft delete');

  // Bob's cache is up to date before the hire: he sees no milestones of this project yet.
  const cursor = must(await alice.api.view('milestones', dropped.id), 'view').updated;
  const filter = (f) => `&sort=updated,id&filter=${encodeURIComponent(f)}`;
  const beforeHire = must(await bob.api.list('milestones', filter(`project = "${project}"`)), 'list');
  assert.equal(beforeHire.items.length, 0);

  must(await alice.api.update('proposals', qb, { status: 'accepted' }), 'accept');

  // What an incremental sync asks for: records updated past the cursor. Both milestones must be
  // in it, the soft-deleted one as a tombstone, or Bob's cache would never learn of them.
  const pulled = must(await bob.api.list('milestones',
    filter(`project = "${project}" && updated > "${cursor}"`)), 'incremental list');
  const byId = Object.fromEntries(pulled.items.map((m) => [m.id, m]));
  assert.deepEqual(Object.keys(byId).sort(), [planned.id, dropped.id].sort());
  assert.equal(byId[dropped.id].deleted, true);
  assert.equal(byId[planned.id].title, 'Wireframes');
});
