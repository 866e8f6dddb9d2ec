// Chat provisioning: jobs queued with the record write and delivered to a loopback HTTP server
// standing in for Stream; retried after failures; never failing the user's write.
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { makeUser, must, startFakeStream, startPocketBase, superuserApi, verifyJwt, waitFor } from './helpers.mjs';

const SECRET = 'chat-test-secret-abcdef0123456789';
let server, fake, su, alice, bob, carol;

before(async () => {
  fake = await startFakeStream();
  server = await startPocketBase({ env: {
    STREAM_API_KEY: 'chat_key',
    STREAM_API_SECRET: SECRET,
    STREAM_BASE_URL: fake.url,
    CHAT_JOBS_RETRY_SECONDS: '1',
  } });
  su = await superuserApi(server.url);
  [alice, bob, carol] = await Promise.all(['Alice', 'Bob', 'Carol'].map((n) => makeUser(server.url, n)));
});

after(async () => {
  await server?.stop();
  await fake?.close();
});

beforeEach(() => { fake.failStatus = 0; fake.shouldFail = null; });

const channelPath = (id) => `/channels/messaging/project-${id}`;
const ok = (r) => !r.failed;

async function jobs(projectId) {
  const filter = encodeURIComponent(`channel="project-${projectId}"`);
  return must(await su.list('chat_jobs', `&sort=created&filter=${filter}`), 'jobs').items;
}

async function newProject(title) {
  return must(await alice.api.create('projects', { title, status: 'open', owner: alice.id }), 'project');
}

test('creating a project creates its channel with the owner as member', async () => {
  const p = await newProject('Website');
  const create = await waitFor('channel query', () => fake.requests.find(
    (r) => ok(r) && r.path === `${channelPath(p.id)}/query`));
  assert.equal(create.method, 'POST');
  assert.deepEqual(create.body, { data: {
    created_by_id: alice.id, members: [alice.id], name: 'Website', project_id: p.id },
    state: true, watch: false, presence: false, members: { limit: 100, offset: 0 }, messages: { limit: 100 } });
  // the channel already had exactly its members: nothing added or removed, nothing truncated
  assert.equal(fake.requests.filter((r) => r.path === channelPath(p.id)).length, 0);
  assert.equal(fake.requests.filter((r) => r.path === `${channelPath(p.id)}/truncate`).length, 0);
  assert.equal(create.query.api_key, 'chat_key');
  assert.equal(create.headers['stream-auth-type'], 'jwt');
  assert.equal(create.headers['content-type'], 'application/json');
  assert.equal(verifyJwt(create.headers.authorization, SECRET).server, true);

  // the owner was upserted before becoming a member
  const users = fake.requests.filter((r) => ok(r) && r.path === '/users');
  const idx = fake.requests.indexOf(create);
  assert.ok(users.some((u) => fake.requests.indexOf(u) < idx &&
    JSON.stringify(u.body) === JSON.stringify({ users: { [alice.id]: { id: alice.id, name: 'Alice' } } })));

  const [job] = await jobs(p.id);
  assert.equal(job.kind, 'create_channel');
  assert.equal(job.state, 'done');
  assert.equal(job.attempts, 1);
});

test('accepting a proposal adds the hired freelancer; soft delete freezes, restore unfreezes', async () => {
  const p = await newProject('App');
  const q = must(await bob.api.create('proposals', { project: p.id, freelancer: bob.id, status: 'sent' }), 'q');
  must(await alice.api.update('proposals', q.id, { status: 'accepted' }), 'accept');
  const add = await waitFor('add_members', () => fake.requests.find(
    (r) => ok(r) && r.path === channelPath(p.id) && r.method === 'POST'));
  assert.deepEqual(add.body, { add_members: [bob.id] });
  assert.ok(fake.requests.some((r) => r.path === '/users' && r.body.users[bob.id]?.name === 'Bob'));

  must(await alice.api.update('projects', p.id, { deleted: true }), 'delete');
  const freeze = await waitFor('freeze', () => fake.requests.find(
    (r) => ok(r) && r.path === channelPath(p.id) && r.method === 'PATCH'));
  assert.deepEqual(freeze.body, { set: { frozen: true } });

  must(await alice.api.update('projects', p.id, { deleted: false }), 'restore');
  await waitFor('unfreeze', () => fake.requests.find((r) => ok(r) && r.method === 'PATCH' &&
    r.path === channelPath(p.id) && r.body.set.frozen === false));

  assert.deepEqual((await jobs(p.id)).map((j) => [j.kind, j.state]), [
    ['create_channel', 'done'], ['add_member', 'done'], ['freeze', 'done'], ['unfreeze', 'done']]);

  // edits that touch neither hire nor deletion queue nothing
  must(await alice.api.update('projects', p.id, { title: 'App v2' }), 'edit');
  assert.equal((await jobs(p.id)).length, 4);
});

test('a failing chat service never fails the write; jobs wait and go out in order later', async () => {
  fake.failStatus = 503;
  const p = await newProject('Offline chat');
  assert.equal(p.title, 'Offline chat', 'the write succeeded');
  const q = must(await carol.api.create('proposals', { project: p.id, freelancer: carol.id, status: 'sent' }), 'q');
  const acc = await alice.api.update('proposals', q.id, { status: 'accepted' });
  assert.equal(acc.status, 200, 'acceptance succeeded while chat is down');

  let js = await jobs(p.id);
  assert.deepEqual(js.map((j) => [j.kind, j.state]), [['create_channel', 'pending'], ['add_member', 'pending']]);
  assert.ok(js[0].attempts >= 1);
  assert.match(js[0].last_error, /503/);
  assert.equal(js[1].attempts, 0, 'held back behind the channel creation');

  // after a failure, writes stop trying the chat service inline for a while
  const p2 = await newProject('While down');
  assert.deepEqual((await jobs(p2.id)).map((j) => [j.state, j.attempts]), [['pending', 0]]);

  fake.failStatus = 0;
  // backoff is 1 s in this test; the superuser route runs the same delivery as the cron
  await waitFor('delivery', async () => {
    must(await su.post('/api/chat/jobs/deliver', {}), 'deliver');
    return [...await jobs(p.id), ...await jobs(p2.id)].every((j) => j.state === 'done');
  }, { stepMs: 500 });
  js = await jobs(p.id);
  assert.equal(js[0].last_error, '');

  const delivered = fake.requests.filter((r) => ok(r) && r.path.startsWith(channelPath(p.id)));
  // each job reads the project when it goes out: by then Carol is hired, so the channel is
  // created with both participants and the add_member job finds nothing left to do
  assert.deepEqual(delivered.map((r) => `${r.method} ${r.path}`),
    [`POST ${channelPath(p.id)}/query`, `POST ${channelPath(p.id)}/query`]);
  assert.deepEqual(delivered[0].body.data.members, [alice.id, carol.id]);
  assert.deepEqual(fake.channels.get(`messaging:project-${p.id}`).members, [alice.id, carol.id]);
});

test('a job half delivered is retried whole: every call is idempotent', async () => {
  const before = fake.requests.length;
  fake.failStatus = 500;
  fake.shouldFail = (r) => /\/query$/.test(r.path); // the user upsert goes through, the channel doesn't
  const p = await newProject('Half');
  await waitFor('a failed attempt', async () => {
    must(await su.post('/api/chat/jobs/deliver', {}), 'deliver');
    return (await jobs(p.id))[0].attempts >= 1;
  }, { stepMs: 500 });
  fake.failStatus = 0;
  fake.shouldFail = null;
  assert.equal((await jobs(p.id))[0].state, 'pending');
  await waitFor('retry', async () => {
    must(await su.post('/api/chat/jobs/deliver', {}), 'deliver');
    return (await jobs(p.id))[0].state === 'done';
  }, { stepMs: 500 });
  const mine = fake.requests.slice(before).filter((r) => r.path === `${channelPath(p.id)}/query`);
  assert.equal(mine.filter(ok).length, 1, 'channel created once');
  assert.ok(mine.filter((r) => r.failed).length >= 1);
  const upserts = fake.requests.slice(before).filter((r) => ok(r) && r.path === '/users' && r.body.users[alice.id]);
  assert.ok(upserts.length >= 2, 'the whole job was resent');
});

test('the cron delivers failed jobs without any request', { timeout: 180000 }, async () => {
  fake.failStatus = 502;
  const p = await newProject('Cron');
  fake.failStatus = 0;
  assert.equal((await jobs(p.id))[0].state, 'pending');
  // PocketBase cron ticks once a minute
  await waitFor('cron delivery', async () => (await jobs(p.id))[0].state === 'done',
    { timeoutMs: 150000, stepMs: 1000 });
  assert.ok(fake.requests.some((r) => ok(r) && r.path === `${channelPath(p.id)}/query`));
});
