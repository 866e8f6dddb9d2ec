// Drives gigdesk-chat-server with the official stream-chat SDK, unchanged.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startChatServer, requireModule, nextEvent, API_KEY, API_SECRET } from '../node/chat-server.mjs';

const { StreamChat } = requireModule('stream-chat');

let server;
let admin;
const clients = [];

function userClient() {
  const c = new StreamChat(API_KEY, { baseURL: server.url, allowServerSideConnect: true, timeout: 15000 });
  clients.push(c);
  return c;
}

async function connect(id, name, exp) {
  const c = userClient();
  const token = admin.createToken(id, exp);
  await c.connectUser({ id, name }, token);
  return c;
}

async function projectChannel(id, members) {
  const ch = admin.channel('messaging', `project-${id}`, {
    members, created_by_id: members[0], name: `Project ${id}`, project_id: String(id),
  });
  await ch.create();
  return ch;
}

before(async () => {
  server = await startChatServer({ args: ['--health-interval', '2'] });
  admin = new StreamChat(API_KEY, API_SECRET, { baseURL: server.url, timeout: 15000 });
  await admin.upsertUsers([
    { id: 'alice', name: 'Alice' }, { id: 'bob', name: 'Bob' }, { id: 'carol', name: 'Carol' },
  ]);
});

after(async () => {
  for (const c of clients) {
    try { await c.disconnectUser(500); } catch { /* already closed */ }
  }
  // stop() fails unless the server exits 0 on SIGTERM (and, under the sanitizers, leaks nothing).
  await server?.stop();
});

test('two users connect, watch, exchange messages, typing and read events', async () => {
  await projectChannel(1, ['alice', 'bob']);
  const alice = await connect('alice', 'Alice');
  const bob = await connect('bob', 'Bob');
  assert.equal(alice.user.id, 'alice');
  assert.ok(alice.wsConnection.connectionID, 'health.check gave a connection_id');

  const ca = alice.channel('messaging', 'project-1');
  const cb = bob.channel('messaging', 'project-1');
  await ca.watch();
  await cb.watch();
  assert.equal(ca.data.name, 'Project 1');
  assert.deepEqual(Object.keys(ca.state.members).sort(), ['alice', 'bob']);

  const id = randomUUID();
  const got = nextEvent(cb, 'message.new');
  const sent = await ca.sendMessage({ id, text: 'hello bob' });
  assert.equal(sent.message.id, id);
  assert.equal(sent.message.user.id, 'alice');
  const ev = await got;
  assert.equal(ev.message.id, id);
  assert.equal(ev.message.text, 'hello bob');
  assert.equal(cb.state.messages.at(-1).id, id);

  const reply = nextEvent(ca, 'message.new', (e) => e.user.id === 'bob');
  await cb.sendMessage({ text: 'hi alice' });
  assert.equal((await reply).message.text, 'hi alice');

  const typing = nextEvent(cb, 'typing.start', (e) => e.user.id === 'alice');
  await ca.keystroke();
  assert.equal((await typing).cid, 'messaging:project-1');
  const stopped = nextEvent(cb, 'typing.stop', (e) => e.user.id === 'alice');
  await ca.stopTyping();
  await stopped;

  const read = nextEvent(ca, 'message.read', (e) => e.user.id === 'bob');
  await cb.markRead();
  const readEv = await read;
  assert.equal(readEv.cid, 'messaging:project-1');
  assert.equal(ca.state.read.bob.user.id, 'bob');
});

test('a resend of the same message id does not duplicate', async () => {
  await projectChannel(2, ['alice', 'bob']);
  const alice = await connect('alice', 'Alice');
  const ch = alice.channel('messaging', 'project-2');
  await ch.watch();
  const id = randomUUID();
  await ch.sendMessage({ id, text: 'once' });
  await assert.rejects(ch.sendMessage({ id, text: 'once' }), (err) => {
    assert.equal(err.code, 4);
    assert.match(err.message, /already exists/);
    return true;
  });
  const state = await ch.query({ messages: { limit: 50 } });
  assert.equal(state.messages.filter((m) => m.id === id).length, 1);
});

test('an expired token is refused', async () => {
  const c = userClient();
  const token = admin.createToken('alice', Math.floor(Date.now() / 1000) - 60);
  await assert.rejects(c.connectUser({ id: 'alice' }, token), (err) => {
    assert.equal(JSON.parse(err.message).code, 40);
    return true;
  });
  await c.disconnectUser(100).catch(() => {});
});

test('a reconnect followed by /sync or a re-query recovers missed messages', async () => {
  await projectChannel(3, ['alice', 'bob']);
  const alice = await connect('alice', 'Alice');
  const ca = alice.channel('messaging', 'project-3');
  await ca.watch();
  await ca.sendMessage({ text: 'before' });

  let bob = await connect('bob', 'Bob');
  await bob.channel('messaging', 'project-3').watch();
  const lastSeen = new Date().toISOString();
  await bob.disconnectUser();

  const missed = [randomUUID(), randomUUID()];
  for (const id of missed) await ca.sendMessage({ id, text: `missed ${id}` });

  bob = await connect('bob', 'Bob');
  const synced = await bob.sync(['messaging:project-3'], lastSeen);
  const newIds = synced.events.filter((e) => e.type === 'message.new').map((e) => e.message.id);
  assert.deepEqual(newIds, missed);

  const [channel] = await bob.queryChannels({ cid: { $in: ['messaging:project-3'] } },
    [{ last_message_at: -1 }], { watch: true, state: true });
  const ids = channel.state.messages.map((m) => m.id);
  for (const id of missed) assert.ok(ids.includes(id), `re-query has ${id}`);

  const live = nextEvent(channel, 'message.new');
  await ca.sendMessage({ text: 'after reconnect' });
  assert.equal((await live).message.text, 'after reconnect');
});

test('query channels filters by membership and type, sorted by last_message_at', async () => {
  await projectChannel(10, ['carol', 'alice']);
  await projectChannel(11, ['carol', 'bob']);
  const carol = await connect('carol', 'Carol');
  const c10 = carol.channel('messaging', 'project-10');
  const c11 = carol.channel('messaging', 'project-11');
  await c10.watch();
  await c11.watch();
  await c11.sendMessage({ text: 'older' });
  await c10.sendMessage({ text: 'newer' });
  const found = await carol.queryChannels({ type: 'messaging', members: { $in: ['carol'] } },
    [{ last_message_at: -1 }], { limit: 10 });
  assert.deepEqual(found.map((c) => c.id), ['project-10', 'project-11']);
  const byProject = await carol.queryChannels({ project_id: '11' });
  assert.deepEqual(byProject.map((c) => c.id), ['project-11']);
});

test('edits and deletes reach the other member', async () => {
  await projectChannel(4, ['alice', 'bob']);
  const alice = await connect('alice', 'Alice');
  const bob = await connect('bob', 'Bob');
  const ca = alice.channel('messaging', 'project-4');
  const cb = bob.channel('messaging', 'project-4');
  await ca.watch();
  await cb.watch();
  const { message } = await ca.sendMessage({ text: 'draft' });

  const updated = nextEvent(cb, 'message.updated');
  await alice.updateMessage({ id: message.id, text: 'final' });
  assert.equal((await updated).message.text, 'final');

  const partial = nextEvent(cb, 'message.updated', (e) => e.message.text === 'partial');
  await alice.partialUpdateMessage(message.id, { set: { text: 'partial' } });
  await partial;

  await assert.rejects(bob.updateMessage({ id: message.id, text: 'not yours' }), (err) => err.code === 17);

  const deleted = nextEvent(cb, 'message.deleted');
  const res = await alice.deleteMessage(message.id);
  assert.equal(res.message.type, 'deleted');
  assert.equal((await deleted).message.id, message.id);
});

test('members only; frozen channels refuse messages; membership changes', async () => {
  const ch = await projectChannel(5, ['alice', 'bob']);
  const carol = await connect('carol', 'Carol');
  await assert.rejects(carol.channel('messaging', 'project-5').watch(), (err) => {
    assert.equal(err.code, 17);
    assert.equal(err.status, 403);
    return true;
  });

  const alice = await connect('alice', 'Alice');
  const ca = alice.channel('messaging', 'project-5');
  await ca.watch();

  await ch.updatePartial({ set: { frozen: true } });
  await assert.rejects(ca.sendMessage({ text: 'frozen?' }), (err) => {
    assert.equal(err.code, 17);
    return true;
  });
  await ch.updatePartial({ set: { frozen: false } });
  const thawed = await ca.sendMessage({ text: 'thawed' });
  assert.equal(thawed.message.text, 'thawed');

  // Carol joins only after the freeze toggles: the SDK re-queries a channel in the
  // background when its frozen flag changes, and that must not race her removal.
  const added = nextEvent(carol, 'notification.added_to_channel');
  await ch.addMembers(['carol']);
  assert.equal((await added).channel.cid, 'messaging:project-5');
  await carol.channel('messaging', 'project-5').watch();

  const removed = nextEvent(carol, 'notification.removed_from_channel');
  await ch.removeMembers(['carol']);
  await removed;
  const refused = await carol.channel('messaging', 'project-5').query().then(() => null, (err) => err);
  assert.equal(refused?.code, 17, 'a removed member can no longer read the channel');
});

test('message pagination with id_lt', async () => {
  await projectChannel(6, ['alice']);
  const alice = await connect('alice', 'Alice');
  const ch = alice.channel('messaging', 'project-6');
  await ch.watch();
  const ids = [];
  for (let i = 0; i < 7; i++) ids.push((await ch.sendMessage({ text: `m${i}` })).message.id);
  const page1 = await ch.query({ messages: { limit: 3 } });
  assert.deepEqual(page1.messages.map((m) => m.id), ids.slice(4));
  const page2 = await ch.query({ messages: { limit: 3, id_lt: ids[4] } });
  assert.deepEqual(page2.messages.map((m) => m.id), ids.slice(1, 4));
  const page3 = await ch.query({ messages: { limit: 3, id_lt: ids[1] } });
  assert.deepEqual(page3.messages.map((m) => m.id), ids.slice(0, 1));
});

test('presence, notifications for members not watching, and server-side channel updates', async () => {
  await admin.upsertUsers([{ id: 'dave', name: 'Dave' }, { id: 'erin', name: 'Erin' }]);
  const ch = await projectChannel(7, ['dave', 'erin']);
  const dave = await connect('dave', 'Dave');
  const cd = dave.channel('messaging', 'project-7');
  await cd.watch({ presence: true });
  assert.equal(cd.state.members.erin.user.online, false);

  const online = nextEvent(dave, 'user.presence.changed', (e) => e.user.id === 'erin');
  const erin = await connect('erin', 'Erin');
  assert.equal((await online).user.online, true);

  // Erin is a member but does not watch the channel: she is notified instead.
  const note = nextEvent(erin, 'notification.message_new');
  await cd.sendMessage({ text: 'are you there?' });
  const n = await note;
  assert.equal(n.channel.cid, 'messaging:project-7');
  assert.equal(n.message.text, 'are you there?');
  assert.equal(n.total_unread_count, 1);

  // The backend's full update (hooks) reaches watchers as channel.updated.
  const updated = nextEvent(cd, 'channel.updated');
  await ch.update({ name: 'Project 7 (renamed)', project_id: '7' });
  assert.equal((await updated).channel.name, 'Project 7 (renamed)');
  assert.equal(cd.data.name, 'Project 7 (renamed)');

  // A server-side message on behalf of a member.
  const fromServer = nextEvent(cd, 'message.new', (e) => e.user.id === 'erin');
  await ch.sendMessage({ text: 'sent by the backend', user_id: 'erin' });
  assert.equal((await fromServer).message.text, 'sent by the backend');

  const offline = nextEvent(dave, 'user.presence.changed', (e) => e.user.id === 'erin' && !e.user.online);
  await erin.disconnectUser();
  assert.equal((await offline).user.online, false);
});

test('channel-type grants: a user token cannot create or take over a messaging channel', async () => {
  const mallory = await connect('mallory', 'Mallory');
  // creating a project channel before the backend does: refused, and nothing is created
  const created = await mallory.channel('messaging', 'project-8', { name: 'mine' }).watch()
    .then(() => null, (e) => e);
  assert.equal(created?.code, 17);
  assert.equal(created.status, 403);
  assert.match(created.message, /User 'mallory' with role 'user' is not allowed to perform action CreateChannel in scope 'messaging'/);
  const none = await admin.queryChannels({ cid: 'messaging:project-8' });
  assert.equal(none.length, 0);

  // the backend creates it; its members cannot change membership or channel data
  const ch = await projectChannel(8, ['alice', 'bob']);
  const alice = await connect('alice', 'Alice');
  const own = alice.channel('messaging', 'project-8');
  await own.watch();
  const add = await own.addMembers(['mallory']).then(() => null, (e) => e);
  assert.equal(add?.code, 17);
  assert.match(add.message, /action UpdateChannelMembers in scope 'messaging'/);
  const rename = await own.update({ name: 'taken' }).then(() => null, (e) => e);
  assert.match(rename?.message ?? '', /action UpdateChannel in scope 'messaging'/);
  const unfreeze = await own.updatePartial({ set: { frozen: false } }).then(() => null, (e) => e);
  assert.equal(unfreeze?.code, 17);
  const state = await ch.query({ members: { limit: 10 } });
  assert.deepEqual(state.members.map((m) => m.user_id).sort(), ['alice', 'bob']);
  assert.equal(state.channel.name, 'Project 8');

  // other channel types keep the service's default grants: users may create them
  const team = mallory.channel('team', 'mallory-notes', { name: 'notes' });
  await team.watch();
  assert.equal(team.data.created_by.id, 'mallory');
});

test('truncate: the server clears a channel for everyone, members cannot', async () => {
  const ch = await projectChannel(9, ['alice', 'bob']);
  const alice = await connect('alice', 'Alice');
  const bob = await connect('bob', 'Bob');
  const ca = alice.channel('messaging', 'project-9');
  const cb = bob.channel('messaging', 'project-9');
  await ca.watch();
  await cb.watch();
  const since = new Date(Date.now() - 1000).toISOString();
  await ca.sendMessage({ text: 'pay me here first' });
  await ca.sendMessage({ text: 'and here' });

  // a member's token may not truncate a messaging channel
  const refused = await cb.truncate().then(() => null, (e) => e);
  assert.equal(refused?.code, 17);
  assert.match(refused.message, /action TruncateChannel in scope 'messaging'/);
  assert.equal((await ch.query({ messages: { limit: 10 } })).messages.length, 2);

  // what the local server does not do, it refuses rather than half-does
  const partial = await ch.truncate({ member_ids: ['bob'] }).then(() => null, (e) => e);
  assert.equal(partial?.status, 400);

  const event = nextEvent(cb, 'channel.truncated');
  const answer = await ch.truncate();
  assert.equal(answer.channel.cid, 'messaging:project-9');
  assert.ok(Date.parse(answer.channel.truncated_at) > 0);
  assert.equal((await event).channel.cid, 'messaging:project-9');

  // gone from every way back to it: queries, /sync, the member's own re-query
  assert.deepEqual((await ch.query({ messages: { limit: 10 } })).messages, []);
  const synced = await bob.sync(['messaging:project-9'], since);
  assert.deepEqual(synced.events.filter((e) => e.type === 'message.new'), []);
  const [again] = await bob.queryChannels({ cid: 'messaging:project-9' }, {}, { state: true });
  assert.deepEqual(again.state.messages, []);

  // the channel itself goes on
  await ca.sendMessage({ text: 'fresh start' });
  assert.deepEqual((await ch.query({ messages: { limit: 10 } })).messages.map((m) => m.text), ['fresh start']);
});
