// Files in the chat: the C client (through gig-chat-probe) uploads from disk and downloads to
// disk, the official stream-chat SDK is the other member, through the local chat server, with
// the C client's chat tokens from a real PocketBase. Each sees the other's attachments.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_KEY, API_SECRET, requireModule, startChatServer } from '../node/chat-server.mjs';
import { Probe } from '../node/chat-probe.mjs';
import { makeUser, must, signJwt, startPocketBase, superuserApi, waitFor } from '../backend/helpers.mjs';

const { StreamChat } = requireModule('stream-chat');

const TOKEN_TTL = 2;
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let dir, chat, pb, su, alice, bob, project, cid, probe, bobClient, bobChannel;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gigdesk-chat-uploads-'));
  chat = await startChatServer({ args: ['--files', join(dir, 'server-files')] });
  pb = await startPocketBase({ env: {
    STREAM_API_KEY: API_KEY,
    STREAM_API_SECRET: API_SECRET,
    STREAM_BASE_URL: chat.url,
    STREAM_TOKEN_TTL: String(TOKEN_TTL),
    CHAT_JOBS_RETRY_SECONDS: '1',
  } });
  su = await superuserApi(pb.url);
  [alice, bob] = await Promise.all([makeUser(pb.url, 'Alice'), makeUser(pb.url, 'Bob')]);
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

function bobEvent(type, pred = () => true, ms = 15000) {
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

// What a member's client does with a URL of this server: the key and the token along.
async function fetchAsBob(url) {
  const u = new URL(url);
  u.searchParams.set('api_key', API_KEY);
  const res = await fetch(u, { headers: { Authorization: signJwt({ user_id: bob.id }, API_SECRET), 'Stream-Auth-Type': 'jwt' } });
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
}

test('the C client uploads a file and an image from disk and sends them; the SDK gets both', async () => {
  const pdfPath = join(dir, 'quote "final".pdf');
  const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(300 * 1024), Buffer.from('\n%%EOF\n')]);
  writeFileSync(pdfPath, pdf);
  const pngPath = join(dir, 'mock-up.png');
  writeFileSync(pngPath, PNG);

  const seen = probe.events.length;
  const file = await probe.ok('upload', { cid, path: pdfPath }, 60000);
  const image = await probe.ok('upload', { cid, path: pngPath, title: 'Mock-up.png' }, 60000);
  assert.equal(file.attachment.type, 'file');
  assert.equal(file.attachment.title, 'quote "final".pdf');
  assert.equal(file.attachment.mime_type, 'application/pdf');
  assert.equal(file.attachment.file_size, pdf.length);
  assert.match(file.attachment.asset_url, /\/uploads\/[0-9a-f-]{36}\//);
  assert.equal(image.attachment.type, 'image');
  assert.equal(image.attachment.mime_type, 'image/png');
  assert.equal(image.attachment.image_url, image.attachment.thumb_url);
  // progress ended at the whole file
  const progress = probe.events.slice(seen).filter((e) => e.event === 'progress' && e.for === file.req);
  assert.ok(progress.length >= 1, 'progress was reported');
  assert.deepEqual([progress.at(-1).done, progress.at(-1).total], [pdf.length, pdf.length]);
  assert.ok(progress.every((p, i) => i === 0 || p.done >= progress[i - 1].done), 'progress only grows');

  const got = bobEvent('message.new', (ev) => ev.message.user.id === alice.id && ev.message.attachments?.length === 2);
  const sent = await probe.ok('send_files', { cid, text: 'quote and mock-up', attachments: [file.attachment, image.attachment] });
  const ev = await got;
  assert.equal(ev.message.id, sent.id);
  const [a, b] = ev.message.attachments;
  assert.deepEqual([a.type, a.title, a.mime_type, a.file_size], ['file', 'quote "final".pdf', 'application/pdf', pdf.length]);
  assert.deepEqual([b.type, b.title, b.mime_type, b.file_size], ['image', 'Mock-up.png', 'image/png', PNG.length]);
  assert.equal(b.image_url, image.attachment.image_url);
  // the bytes that arrived are the file's
  const fetched = await fetchAsBob(a.asset_url);
  assert.equal(fetched.status, 200);
  assert.ok(fetched.bytes.equals(pdf), 'the stored file is the one on disk');
  assert.ok((await fetchAsBob(b.image_url)).bytes.equals(PNG));

  // and the C client's own cache shows them once the service has the message
  const mine = await waitFor('the sent message with its attachments', async () => {
    const r = await probe.ok('attachments', { id: sent.id });
    return r.attachments.length === 2 ? r : null;
  });
  assert.deepEqual(mine.attachments.map((x) => x.kind), ['file', 'image']);
});

test("the SDK's sendFile / sendImage reach the C client, which downloads them to disk", async () => {
  const data = randomBytes(200 * 1024);
  const file = await bobChannel.sendFile(data, 'notes.bin', 'application/octet-stream');
  const image = await bobChannel.sendImage(PNG, 'face.png', 'image/png');
  const sent = await bobChannel.sendMessage({
    text: 'for you',
    attachments: [
      { type: 'file', asset_url: file.file, title: 'notes.bin', mime_type: 'application/octet-stream', file_size: data.length },
      { type: 'image', image_url: image.file, thumb_url: image.file, title: 'face.png', mime_type: 'image/png', file_size: PNG.length },
      { type: 'giphy', title: 'not a file', thumb_url: 'https://example.invalid/x.gif' },
      { type: 'file', asset_url: 'javascript:alert(1)', title: 'no' },
    ],
  });
  const got = await waitFor('the message in the C client', async () => {
    const r = await probe.ok('attachments', { id: sent.message.id });
    return r.found ? r : null;
  }, { timeoutMs: 30000 });
  // only real files with http(s) URLs are attachments to the C client
  assert.equal(got.attachments.length, 2, JSON.stringify(got.attachments));
  const [f, i] = got.attachments;
  assert.deepEqual([f.kind, f.title, f.mime_type, f.file_size, f.url], ['file', 'notes.bin', 'application/octet-stream', data.length, file.file]);
  assert.deepEqual([i.kind, i.title, i.mime_type, i.url, i.thumb_url], ['image', 'face.png', 'image/png', image.file, image.file]);

  const target = join(dir, 'downloaded.bin');
  await probe.ok('download', { url: f.url, path: target }, 60000);
  assert.ok(readFileSync(target).equals(data), 'the downloaded bytes are what the SDK sent');
  const png = join(dir, 'face.png');
  await probe.ok('download', { url: i.url, path: png }, 60000);
  assert.ok(readFileSync(png).equals(PNG));

  // a failed download leaves an existing file as it was
  writeFileSync(target, 'keep me');
  const bad = await probe.call('download', { url: f.url.replace(/Signature=[0-9a-f]/, 'Signature=x'), path: target }, 30000);
  assert.equal(bad.ok, false);
  assert.match(bad.error, /does not give out this file \(HTTP 403\)/);
  assert.equal(readFileSync(target, 'utf8'), 'keep me');
});

test('an expired chat token is renewed and the upload made again; refusals are clear', async () => {
  // the client's chat token lives TOKEN_TTL seconds: the next upload meets code 40 first
  await sleep((TOKEN_TTL + 1) * 1000);
  const path = join(dir, 'late.txt');
  writeFileSync(path, 'after the token expired');
  const up = await probe.ok('upload', { cid, path }, 60000);
  assert.equal((await fetchAsBob(up.attachment.asset_url)).bytes.toString(), 'after the token expired');

  // empty and too large are refused before a byte is sent
  const empty = join(dir, 'empty.txt');
  writeFileSync(empty, '');
  let r = await probe.call('upload', { cid, path: empty });
  assert.equal(r.ok, false);
  assert.match(r.error, /“empty\.txt” is empty/);
  const huge = join(dir, 'huge.iso');
  writeFileSync(huge, '');
  truncateSync(huge, 100 * 1024 * 1024 + 1); // sparse: nothing is written
  r = await probe.call('upload', { cid, path: huge });
  assert.equal(r.ok, false);
  assert.match(r.error, /“huge\.iso” is larger than 104\.9\sMB, the most a file in the chat can be/);
  r = await probe.call('upload', { cid, path: join(dir, 'missing.pdf') });
  assert.equal(r.ok, false);
  assert.match(r.error, /Could not read/);

  // a channel alice is not in: the service's refusal, as it worded it
  const admin = new StreamChat(API_KEY, API_SECRET, { baseURL: chat.url });
  await admin.channel('messaging', 'elsewhere', { members: [bob.id], created_by_id: bob.id }).create();
  r = await probe.call('upload', { cid: 'messaging:elsewhere', path });
  assert.equal(r.ok, false);
  assert.equal(r.code, 17);
  assert.match(r.error, /not allowed/);
  assert.ok(!existsSync(join(dir, 'nothing')), 'nothing else written');
});

test('files attached offline are copied, wait in the outbox, and go after a restart, once', async () => {
  const db = join(dir, 'alice.sqlite');
  const kept = `${db}.attachments`;
  const filesIn = () => (existsSync(kept) ? readdirSync(kept, { recursive: true })
    .filter((f) => statSync(join(kept, f)).isFile()) : []);
  await probe.ok('close');
  await probe.ok('open', { db, pb_url: pb.url, pb_token: alice.token, user_id: alice.id, offline: true });

  const original = join(dir, 'offline brief.pdf');
  const data = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(150 * 1024)]);
  writeFileSync(original, data);
  const image = join(dir, 'offline.png');
  writeFileSync(image, PNG);
  const { id } = await probe.ok('attach', { cid, text: 'written on the train', paths: [original, image] });
  // the copies are what will be sent: the originals may change or go meanwhile
  writeFileSync(original, 'changed after attaching');
  rmSync(image);
  assert.equal(filesIn().length, 2, 'two copies kept in the account data');
  let m = (await probe.messages(cid)).messages.find((x) => x.id === id);
  assert.equal(m.state, 'sending', 'shown at once, waiting');
  await probe.quit();

  // a restart, online: the files go up, then the message, once
  probe = new Probe();
  await probe.ok('open', { db, pb_url: pb.url, pb_token: alice.token, user_id: alice.id });
  await probe.ok('wait_online');
  await probe.ok('watch', { cid });
  await waitFor('delivered', async () => (await probe.ok('info')).outbox === 0, { timeoutMs: 60000 });
  m = (await probe.messages(cid)).messages.find((x) => x.id === id);
  assert.equal(m.state, 'sent');
  const server = await bobChannel.query({ messages: { limit: 300 } });
  const copies = server.messages.filter((x) => x.id === id);
  assert.equal(copies.length, 1, 'exactly one message');
  const [a, b] = copies[0].attachments;
  assert.deepEqual([a.type, a.title, a.file_size], ['file', 'offline brief.pdf', data.length]);
  assert.ok(!('gigdesk_local_path' in a), 'local paths never reach the service');
  assert.ok((await fetchAsBob(a.asset_url)).bytes.equals(data), 'the bytes as attached');
  assert.ok((await fetchAsBob(b.image_url)).bytes.equals(PNG));
  assert.deepEqual(filesIn(), [], 'the copies go once uploaded');
  const cached = await probe.ok('attachments', { id });
  assert.equal(cached.attachments.length, 2, 'the cache has the URLs');

  // refused for good: failed, offered again, and discarding removes its copy
  const other = join(dir, 'nowhere.txt');
  writeFileSync(other, 'for a channel alice is not in');
  const failed = await probe.ok('attach', { cid: 'messaging:elsewhere', paths: [other] });
  const ev = await probe.waitEvent((e) => e.event === 'message-failed' && e.id === failed.id, 30000);
  assert.match(ev.error, /not allowed/);
  assert.equal(filesIn().length, 1, 'kept while the message can be retried');
  await probe.ok('discard', { id: failed.id });
  assert.deepEqual(filesIn(), [], 'discarded with its message');

  // checked before anything is copied or queued
  const empty = join(dir, 'zero.txt');
  writeFileSync(empty, '');
  const r = await probe.call('attach', { cid, paths: [other, empty] });
  assert.equal(r.ok, false);
  assert.match(r.error, /“zero\.txt” is empty/);
  assert.deepEqual(filesIn(), []);
});
