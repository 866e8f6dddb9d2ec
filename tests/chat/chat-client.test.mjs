// The C chat client (driven through gig-chat-probe) and the official stream-chat SDK as the other
// person, through the local chat server, with the C client's chat tokens from a real PocketBase
// (short-lived, so refreshing them is exercised all the time).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_KEY, API_SECRET, requireModule, startChatServer } from '../node/chat-server.mjs';
import { makeUser, must, signJwt, startPocketBase, superuserApi, waitFor } from '../backend/helpers.mjs';
import { Probe } from '../node/chat-probe.mjs';

const { StreamChat } = requireModule('stream-chat');
const { WebSocketServer } = requireModule('ws');

const TOKEN_TTL = 3;
// Both servers are built by other parts of the tree; without them there is nothing to test against.
// A missing server binary is a broken build, never a reason to skip: fail loudly instead.
for (const name of ['GIG_CHAT_SERVER', 'GIG_POCKETBASE']) {
  if (!process.env[name] || !existsSync(process.env[name])) {
    throw new Error(`${name} does not name a built binary (${process.env[name] ?? 'unset'})`);
  }
}
const SKIP = false;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
let dir, chat, port, pb, su, alice, bob, project, cid, probe, bobClient, bobChannel;

async function startChat() {
  chat = await startChatServer({ args: ['--data', join(dir, 'chat.sqlite'), ...(port ? ['--port', String(port)] : [])] });
  port = Number(new URL(chat.url).port);
}

before(async () => {
  if (SKIP) return;
  dir = mkdtempSync(join(tmpdir(), 'gigdesk-chat-client-'));
  await startChat();
  pb = await startPocketBase({ env: {
    STREAM_API_KEY: API_KEY,
    STREAM_API_SECRET: API_SECRET,
    STREAM_BASE_URL: chat.url,
    STREAM_TOKEN_TTL: String(TOKEN_TTL),
    CHAT_JOBS_RETRY_SECONDS: '1',
  } });
  su = await superuserApi(pb.url);
  [alice, bob] = await Promise.all([makeUser(pb.url, 'Alice'), makeUser(pb.url, 'Bob')]);

  // The backend's hooks make the channel and add the hired freelancer.
  project = must(await alice.api.create('projects', { title: 'Logo', status: 'open', owner: alice.id }), 'project');
  const q = must(await bob.api.create('proposals', { project: project.id, freelancer: bob.id, status: 'sent' }), 'proposal');
  must(await alice.api.update('proposals', q.id, { status: 'accepted' }), 'accept');
  await waitFor('chat jobs delivered', async () => {
    const filter = encodeURIComponent(`channel="project-${project.id}"`);
    const jobs = must(await su.list('chat_jobs', `&filter=${filter}`), 'jobs').items;
    return jobs.length === 2 && jobs.every((j) => j.state === 'done');
  });
  cid = `messaging:project-${project.id}`;

  probe = new Probe();
  await probe.ok('open', { db: join(dir, 'alice.sqlite'), pb_url: pb.url, pb_token: alice.token, user_id: alice.id });
  await probe.ok('wait_online');
  await probe.ok('watch', { cid });

  bobClient = new StreamChat(API_KEY, { baseURL: chat.url, allowServerSideConnect: true });
  await bobClient.connectUser({ id: bob.id, name: 'Bob' }, signJwt({ user_id: bob.id }, API_SECRET));
  bobChannel = bobClient.channel('messaging', `project-${project.id}`);
  await bobChannel.watch();
});

after(async () => {
  await probe?.quit();
  await bobClient?.disconnectUser().catch(() => {});
  await pb?.stop();
  await chat?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function bobEvent(type, pred = () => true, ms = 10000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { sub.unsubscribe(); reject(new Error(`bob: no ${type}`)); }, ms);
    const sub = bobChannel.on(type, (ev) => {
      if (!pred(ev)) return;
      clearTimeout(timer);
      sub.unsubscribe();
      resolve(ev);
    });
  });
}

async function probeHas(ids) {
  return waitFor('messages in the C client', async () => {
    const { messages } = await probe.messages(cid);
    const have = new Set(messages.filter((m) => m.state === 'sent').map((m) => m.id));
    return ids.every((id) => have.has(id)) ? messages : null;
  }, { timeoutMs: 30000 });
}

test('the C client and the SDK exchange messages both ways', { skip: SKIP }, async () => {
  const got = bobEvent('message.new', (ev) => ev.message.text === 'hello from C');
  const sent = await probe.ok('send', { cid, text: 'hello from C' });
  const ev = await got;
  assert.equal(ev.message.id, sent.id, 'the client-made id is the message id');
  assert.equal(ev.user.id, alice.id);

  const reply = await bobChannel.sendMessage({ text: 'hi from the SDK' });
  const messages = await probeHas([sent.id, reply.message.id]);
  const mine = messages.find((m) => m.id === sent.id);
  const theirs = messages.find((m) => m.id === reply.message.id);
  assert.equal(mine.state, 'sent');
  assert.equal(mine.user_id, alice.id);
  assert.equal(theirs.text, 'hi from the SDK');
  assert.equal(theirs.user_id, bob.id);
  assert.ok(messages.indexOf(mine) < messages.indexOf(theirs), 'time order');
  const { unread } = await probe.messages(cid);
  assert.ok(unread >= 1, 'the SDK message counts as unread');
});

test('typing and read events arrive both ways', { skip: SKIP }, async () => {
  const started = bobEvent('typing.start', (ev) => ev.user.id === alice.id);
  await probe.ok('keystroke', { cid });
  await started;
  const stopped = bobEvent('typing.stop', (ev) => ev.user.id === alice.id);
  await probe.ok('stop_typing', { cid });
  await stopped;

  const seen = probe.events.length;
  await bobChannel.keystroke();
  await probe.waitEvent((e) => e.event === 'typing' && e.user_id === bob.id && e.typing &&
    probe.events.indexOf(e) >= seen);
  await bobChannel.stopTyping();
  await probe.waitEvent((e) => e.event === 'typing' && e.user_id === bob.id && !e.typing &&
    probe.events.indexOf(e) >= seen);

  // Alice reads: the SDK gets message.read, and her unread count drops to 0.
  const read = bobEvent('message.read', (ev) => ev.user.id === alice.id);
  await probe.ok('mark_read', { cid });
  await read;
  assert.equal((await probe.messages(cid)).unread, 0);

  // Bob reads: the C client stores his read state (read receipts).
  await bobChannel.markRead();
  await waitFor('bob read receipt', async () => (await probe.ok('last_read', { cid, user_id: bob.id })).last_read);
});

test('own messages can be edited and deleted; others\' cannot', { skip: SKIP }, async () => {
  const { id } = await probe.ok('send', { cid, text: 'typo hree' });
  await probeHas([id]);
  const updated = bobEvent('message.updated', (ev) => ev.message.id === id);
  await probe.ok('update', { id, text: 'typo here' });
  assert.equal((await updated).message.text, 'typo here');

  const deleted = bobEvent('message.deleted', (ev) => ev.message.id === id);
  await probe.ok('delete', { id });
  await deleted;
  const { messages } = await probe.messages(cid);
  assert.equal(messages.find((m) => m.id === id).deleted, true);

  const other = await bobChannel.sendMessage({ text: 'not yours' });
  await probeHas([other.message.id]);
  const refused = await probe.call('update', { id: other.message.id, text: 'mine now' });
  assert.equal(refused.ok, false);
});

test('an expired token is refreshed without the user noticing', { skip: SKIP }, async () => {
  await sleep((TOKEN_TTL + 1) * 1000);
  // REST with an expired token answers code 40: the client fetches a new one and retries.
  const got = bobEvent('message.new', (ev) => ev.message.text === 'after expiry');
  const { id } = await probe.ok('send', { cid, text: 'after expiry' });
  await got;
  await probeHas([id]);

  // The socket with an expired token gets an error frame (code 40): refresh and reconnect.
  await sleep((TOKEN_TTL + 1) * 1000);
  const recovered = probe.events.length;
  await probe.ok('drop');
  await probe.waitEvent((e) => e.event === 'recovered' && probe.events.indexOf(e) >= recovered, 20000);
  await probe.ok('wait_online');
  assert.ok(!probe.events.some((e) => e.event === 'message-failed'), 'nothing failed');
});

test('server stopped and restarted while both sides send: every message exactly once, in order', { skip: SKIP }, async () => {
  const before = [];
  for (let i = 0; i < 3; i++) before.push((await probe.ok('send', { cid, text: `c-before-${i}` })).id);
  for (let i = 0; i < 3; i++) before.push((await bobChannel.sendMessage({ text: `sdk-before-${i}` })).message.id);
  await probeHas(before);

  await chat.stop();
  await probe.waitEvent((e) => e.event === 'state' && e.state === 'offline' && probe.events.indexOf(e) >= probe.events.length - 5, 20000);
  const queued = [];
  for (let i = 0; i < 5; i++) queued.push((await probe.ok('send', { cid, text: `c-offline-${i}` })).id);
  const pending = (await probe.messages(cid)).messages.filter((m) => queued.includes(m.id));
  assert.deepEqual(pending.map((m) => m.state), Array(5).fill('sending'), 'shown as sending while down');

  const mark = probe.events.length;
  await startChat();
  await probe.waitEvent((e) => e.event === 'recovered' && probe.events.indexOf(e) >= mark, 40000);
  // The SDK reconnects by itself; it sends as soon as it can.
  await waitFor('SDK back online', () => bobClient.wsConnection?.isHealthy, { timeoutMs: 40000 });
  await bobChannel.watch();
  const after = [];
  for (let i = 0; i < 3; i++) after.push((await bobChannel.sendMessage({ text: `sdk-after-${i}` })).message.id);
  for (let i = 0; i < 2; i++) after.push((await probe.ok('send', { cid, text: `c-after-${i}` })).id);

  const all = [...before, ...queued, ...after];
  const cMessages = await probeHas(all);
  const cIds = cMessages.map((m) => m.id);
  for (const id of all) assert.equal(cIds.filter((x) => x === id).length, 1, `once in the C client: ${id}`);

  const server = await bobChannel.query({ messages: { limit: 300 } });
  const sIds = server.messages.map((m) => m.id);
  for (const id of all) assert.equal(sIds.filter((x) => x === id).length, 1, `once on the server: ${id}`);
  // C's offline messages were delivered in the order written.
  const order = (ids) => queued.map((id) => ids.indexOf(id));
  assert.deepEqual([...order(sIds)].sort((a, b) => a - b), order(sIds), 'server order of queued messages');
  assert.deepEqual([...order(cIds)].sort((a, b) => a - b), order(cIds), 'client order of queued messages');
  // Both sides agree on the order of everything.
  const common = sIds.filter((id) => all.includes(id));
  assert.deepEqual(cIds.filter((id) => all.includes(id)), common);
  assert.equal((await probe.ok('info')).outbox, 0);
});

test('a queued message survives a restart, and "already exists" counts as delivered', { skip: SKIP }, async () => {
  // Offline: the message waits in the store.
  await probe.ok('close');
  await probe.ok('open', { db: join(dir, 'alice.sqlite'), pb_url: pb.url, pb_token: alice.token, user_id: alice.id, offline: true });
  const { id } = await probe.ok('send', { cid, text: 'sent before the crash' });
  await probe.quit();

  // Its first attempt had reached the service; only the answer was lost.
  const token = signJwt({ user_id: alice.id }, API_SECRET);
  const res = await fetch(`${chat.url}/channels/messaging/project-${project.id}/message?api_key=${API_KEY}`, {
    method: 'POST',
    headers: { Authorization: token, 'stream-auth-type': 'jwt', 'Content-Type': 'application/json' },
    body: JSON.stringify({ message: { id, text: 'sent before the crash' } }),
  });
  assert.ok(res.ok, `direct send: ${res.status}`);

  probe = new Probe();
  await probe.ok('open', { db: join(dir, 'alice.sqlite'), pb_url: pb.url, pb_token: alice.token, user_id: alice.id });
  let m = (await probe.messages(cid)).messages.find((x) => x.id === id);
  assert.ok(m, 'still there after the restart');
  await probe.ok('wait_online');
  await probe.ok('watch', { cid });
  await waitFor('delivered', async () => (await probe.ok('info')).outbox === 0);
  m = (await probe.messages(cid)).messages.find((x) => x.id === id);
  assert.equal(m.state, 'sent');
  const server = await bobChannel.query({ messages: { limit: 300 } });
  assert.equal(server.messages.filter((x) => x.id === id).length, 1, 'exactly one copy');
});

test('a refused message shows failed, can be retried and discarded', { skip: SKIP }, async () => {
  const bad = 'messaging:project-doesnotexist';
  const { id } = await probe.ok('send', { cid: bad, text: 'nobody here' });
  const failed = await probe.waitEvent((e) => e.event === 'message-failed' && e.id === id);
  assert.ok(failed.error.length > 0);
  let m = (await probe.messages(bad)).messages.find((x) => x.id === id);
  assert.equal(m.state, 'failed');
  assert.ok(m.error);

  const mark = probe.events.length;
  await probe.ok('retry', { id });
  await probe.waitEvent((e) => e.event === 'message-failed' && e.id === id && probe.events.indexOf(e) >= mark);
  await probe.ok('discard', { id });
  assert.equal((await probe.messages(bad)).messages.length, 0);

  // Other messages keep flowing meanwhile.
  const ok = await probe.ok('send', { cid, text: 'still working' });
  await probeHas([ok.id]);
});

test('a deleted project freezes its chat', { skip: SKIP }, async () => {
  must(await alice.api.update('projects', project.id, { deleted: true }), 'delete project');
  await waitFor('frozen in the C client', async () => (await probe.messages(cid)).frozen, { timeoutMs: 20000 });
  const refused = await probe.call('send', { cid, text: 'too late' });
  assert.equal(refused.ok, false);
});

// ---------------------------------------------------------------------------------------------
test('a malformed event from the server is ignored with a warning', { skip: SKIP }, async () => {
  // A websocket server that speaks just enough of the protocol to send broken events.
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.on('listening', r));
  const wsUrl = `http://127.0.0.1:${wss.address().port}`;
  wss.on('connection', (ws) => {
    const now = new Date().toISOString();
    ws.send(JSON.stringify({ type: 'health.check', connection_id: 'c-1', cid: '*', me: { id: 'u1' }, created_at: now }));
    for (const bad of ['not json {', '[1,2,3]', '{"type": 5}', '{"no_type": true}',
      '{"type":"message.new","cid":"messaging:x","message":"oops"}',
      '{"type":"message.new","cid":42,"message":{"id":"m-bad"}}',
      '{"type":"message.new","cid":"messaging:x","message":{"text":"no id"}}',
      '{"type":"typing.start","cid":"messaging:x","user":null}'])
      ws.send(bad);
    ws.send(JSON.stringify({ type: 'message.new', cid: 'messaging:x', created_at: now,
      message: { id: 'm-good', text: 'fine', user: { id: 'u2' }, created_at: now } }));
  });
  const tokens = createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ token: 'a.b.c', api_key: 'k', user_id: 'u1', base_url: wsUrl, expires_at: 0 }));
  });
  await new Promise((r) => tokens.listen(0, '127.0.0.1', r));

  const p = new Probe();
  try {
    await p.ok('open', { db: join(dir, 'malformed.sqlite'), pb_url: `http://127.0.0.1:${tokens.address().port}`, pb_token: 't' });
    await p.waitEvent((e) => e.event === 'chat' && e.type === 'message.new');
    const { messages } = await p.messages('messaging:x');
    assert.deepEqual(messages.map((m) => m.id), ['m-good']);
    assert.equal((await p.ok('info')).connection_id, 'c-1', 'still connected');
    assert.match(p.stderr, /malformed/i);
    assert.equal(p.proc.exitCode, null, 'no crash');
  } finally {
    await p.quit();
    tokens.close();
    wss.close();
  }
});
