// A project channel someone else got hold of before provisioning ends with exactly the
// project's participants. PocketBase provisions against the real local chat server; the
// attacker uses the official stream-chat SDK with their own user token.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { makeUser, must, startPocketBase, superuserApi, waitFor } from './helpers.mjs';
import { startChatServer, requireModule, API_KEY, API_SECRET } from '../node/chat-server.mjs';

const { StreamChat } = requireModule('stream-chat');

let chat, server, su, admin, alice, bob, mallory;
const clients = [];

before(async () => {
  chat = await startChatServer();
  server = await startPocketBase({ env: {
    STREAM_API_KEY: API_KEY, STREAM_API_SECRET: API_SECRET, STREAM_BASE_URL: chat.url,
    CHAT_JOBS_RETRY_SECONDS: '1',
  } });
  su = await superuserApi(server.url);
  admin = new StreamChat(API_KEY, API_SECRET, { baseURL: chat.url, timeout: 15000 });
  [alice, bob, mallory] = await Promise.all(['Alice', 'Bob', 'Mallory'].map((n) => makeUser(server.url, n)));
});

after(async () => {
  for (const c of clients) {
    try { await c.disconnectUser(500); } catch { /* closed */ }
  }
  await server?.stop();
  await chat?.stop();
});

/* A signed-in user's chat client, with the token the backend hands out. */
async function chatAs(user) {
  const t = must(await user.api.get('/api/chat/token'), 'chat token');
  const c = new StreamChat(t.api_key, { baseURL: t.base_url, timeout: 15000 });
  clients.push(c);
  await c.connectUser({ id: t.user_id }, t.token);
  return c;
}

async function members(channelId) {
  const ch = admin.channel('messaging', channelId);
  const state = await ch.query({ state: true, members: { limit: 100 } });
  return { ids: state.members.map((m) => m.user_id).sort(), channel: state.channel };
}

async function jobsDone(projectId) {
  return waitFor(`chat jobs of ${projectId}`, async () => {
    must(await su.post('/api/chat/jobs/deliver', {}), 'deliver');
    const filter = encodeURIComponent(`channel="project-${projectId}"`);
    const js = must(await su.list('chat_jobs', `&filter=${filter}`), 'jobs').items;
    return js.length > 0 && js.every((j) => j.state === 'done') && js;
  }, { stepMs: 300 });
}

test('a user token cannot create a project channel before the backend does', async () => {
  const projectId = 'early0000000001';
  const m = await chatAs(mallory);
  const err = await m.channel('messaging', `project-${projectId}`, { name: 'mine' }).watch()
    .then(() => null, (e) => e);
  assert.ok(err, 'creating the channel was refused');
  assert.equal(err.code, 17);
  assert.equal(err.status, 403);
  assert.match(err.message, /not allowed to perform action CreateChannel in scope 'messaging'/);
  // nothing was created: the backend's provisioning creates it with the owner alone
  const p = must(await alice.api.create('projects', { id: projectId, title: 'Early', status: 'open', owner: alice.id }), 'project');
  await jobsDone(p.id);
  assert.deepEqual((await members(`project-${p.id}`)).ids, [alice.id]);
});

test('provisioning takes back a channel an intruder created and keeps it to the participants', async () => {
  const projectId = 'takeover0000001';
  const cid = `project-${projectId}`;
  // A channel made while the provisioning job waited, on an app whose grants still let users
  // create messaging channels (here: made with the server key in the intruder's name).
  await admin.upsertUsers([{ id: mallory.id, name: 'Mallory' }]);
  await admin.channel('messaging', cid, {
    created_by_id: mallory.id, members: [mallory.id], name: 'Pay here first', project_id: 'elsewhere',
  }).create();
  await admin.channel('messaging', cid).sendMessage({ text: 'send the deposit to me', user_id: mallory.id });

  const p = must(await alice.api.create('projects', { id: projectId, title: 'Shop', status: 'open', owner: alice.id }), 'project');
  assert.equal(p.id, projectId);
  await jobsDone(p.id);
  let now = await members(cid);
  assert.deepEqual(now.ids, [alice.id], 'the intruder was removed');
  assert.equal(now.channel.name, 'Shop');
  assert.equal(now.channel.project_id, projectId);

  // and what the intruder wrote before is gone for the participants
  const history = await admin.channel('messaging', cid).query({ messages: { limit: 100 } });
  assert.deepEqual(history.messages, [], 'the channel was truncated');
  const owner = await chatAs(alice);
  const seen = owner.channel('messaging', cid);
  await seen.watch();
  assert.deepEqual(seen.state.messages.map((msg) => msg.text), []);

  // the intruder's own client can no longer read the channel
  const m = await chatAs(mallory);
  const refused = await m.channel('messaging', cid).watch().then(() => null, (e) => e);
  assert.equal(refused?.code, 17);

  // re-added behind the backend's back, the intruder is removed again at the next provisioning
  await admin.channel('messaging', cid).addMembers([mallory.id]);
  const q = must(await bob.api.create('proposals', { project: p.id, freelancer: bob.id, status: 'sent' }), 'proposal');
  must(await alice.api.update('proposals', q.id, { status: 'accepted' }), 'accept');
  await jobsDone(p.id);
  now = await members(cid);
  assert.deepEqual(now.ids, [alice.id, bob.id].sort(), 'exactly the owner and the hired freelancer');

  // and the participants' own chat works
  const b = await chatAs(bob);
  const ch = b.channel('messaging', cid);
  await ch.watch();
  await ch.sendMessage({ text: 'hello' });
});

test('a channel that only its participants ever wrote in keeps its history', async () => {
  const p = must(await alice.api.create('projects', { title: 'Quiet', status: 'open', owner: alice.id }), 'project');
  const cid = `project-${p.id}`;
  await jobsDone(p.id);
  const a = await chatAs(alice);
  const ch = a.channel('messaging', cid);
  await ch.watch();
  await ch.sendMessage({ text: 'welcome, whoever I hire' });

  // hiring reconciles the channel again: nobody foreign, so nothing is truncated
  const q = must(await bob.api.create('proposals', { project: p.id, freelancer: bob.id, status: 'sent' }), 'proposal');
  must(await alice.api.update('proposals', q.id, { status: 'accepted' }), 'accept');
  await jobsDone(p.id);
  assert.deepEqual((await members(cid)).ids, [alice.id, bob.id].sort());
  const history = await admin.channel('messaging', cid).query({ messages: { limit: 100 } });
  assert.deepEqual(history.messages.map((msg) => msg.text), ['welcome, whoever I hire']);
});

test('a member cannot add anyone to, or reopen, a project channel with a user token', async () => {
  const p = must(await alice.api.create('projects', { title: 'Owned', status: 'open', owner: alice.id }), 'project');
  await jobsDone(p.id);
  const a = await chatAs(alice);
  const ch = a.channel('messaging', `project-${p.id}`);
  await ch.watch();
  const add = await ch.addMembers([mallory.id]).then(() => null, (e) => e);
  assert.equal(add?.code, 17);
  assert.match(add.message, /UpdateChannelMembers/);
  const set = await ch.updatePartial({ set: { frozen: false, name: 'mine now' } }).then(() => null, (e) => e);
  assert.equal(set?.code, 17);
  assert.match(set.message, /UpdateChannel\b/);
  assert.deepEqual((await members(`project-${p.id}`)).ids, [alice.id]);
});
