// File and image uploads: the official stream-chat SDK's channel.sendFile / sendImage against
// gigdesk-chat-server, the service's answer shape and limits, messages carrying the
// attachments, and members-only access to both uploading and fetching the stored file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startChatServer, requireModule, nextEvent, closeClientsAndServer, API_KEY, API_SECRET,
} from '../node/chat-server.mjs';

const { StreamChat } = requireModule('stream-chat');

const MAX_UPLOAD = 256 * 1024; // the server is started with a small limit, to test it cheaply
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n');

let server;
let admin;
let dir;
const clients = [];

async function connect(id) {
  const c = new StreamChat(API_KEY, { baseURL: server.url, allowServerSideConnect: true, timeout: 15000 });
  clients.push(c);
  await c.connectUser({ id, name: id }, admin.createToken(id));
  return c;
}

// Fetches a stored file's URL the way a client of this server does: the api_key and the
// user's token, as for every REST call.
async function fetchAs(url, token, { apiKey = API_KEY } = {}) {
  const u = new URL(url);
  if (apiKey) u.searchParams.set('api_key', apiKey);
  const headers = token ? { Authorization: token, 'Stream-Auth-Type': 'jwt' } : {};
  const res = await fetch(u, { headers });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gigdesk-chat-uploads-'));
  server = await startChatServer({ args: ['--max-upload', String(MAX_UPLOAD), '--files', join(dir, 'files')] });
  admin = new StreamChat(API_KEY, API_SECRET, { baseURL: server.url, timeout: 15000 });
  await admin.upsertUsers([{ id: 'alice' }, { id: 'bob' }, { id: 'mallory' }]);
  await admin.channel('messaging', 'project-files', {
    members: ['alice', 'bob'], created_by_id: 'alice', name: 'Files',
  }).create();
});

after(async () => {
  await closeClientsAndServer(clients, server, assert);
  rmSync(dir, { recursive: true, force: true });
});

test('sendFile and sendImage answer with a signed URL; the other member gets the attachments', async () => {
  const alice = await connect('alice');
  const bob = await connect('bob');
  const ca = alice.channel('messaging', 'project-files');
  const cb = bob.channel('messaging', 'project-files');
  await ca.watch();
  await cb.watch();

  // a Buffer and a stream from disk (sent chunked, without a length)
  const file = await ca.sendFile(PDF, 'quote.pdf', 'application/pdf');
  assert.deepEqual(Object.keys(file).sort(), ['duration', 'file'], JSON.stringify(file));
  assert.match(file.duration, /^\d+(\.\d+)?ms$/);
  assert.match(file.file, /^http:\/\/127\.0\.0\.1:\d+\/uploads\/[0-9a-f-]{36}\/quote\.pdf\?Expires=\d+&Signature=[0-9a-f]{64}$/);
  const pngPath = join(dir, 'mock-up.png');
  writeFileSync(pngPath, PNG);
  const image = await ca.sendImage(createReadStream(pngPath), 'mock-up.png', 'image/png');
  assert.match(image.file, /\/uploads\/[0-9a-f-]{36}\/mock-up\.png\?/);

  const id = randomUUID();
  const got = nextEvent(cb, 'message.new', (e) => e.message.id === id);
  await ca.sendMessage({
    id, text: 'the quote and the mock-up',
    attachments: [
      { type: 'file', asset_url: file.file, title: 'quote.pdf', mime_type: 'application/pdf', file_size: PDF.length },
      { type: 'image', image_url: image.file, thumb_url: image.file, title: 'mock-up.png', mime_type: 'image/png',
        file_size: PNG.length },
    ],
  });
  const ev = await got;
  const [a, b] = ev.message.attachments;
  assert.equal(a.asset_url, file.file);
  assert.equal(a.title, 'quote.pdf');
  assert.equal(a.mime_type, 'application/pdf');
  assert.equal(a.file_size, PDF.length);
  assert.equal(b.type, 'image');
  assert.equal(b.image_url, image.file);
  assert.equal(b.thumb_url, image.file);

  // both members fetch the bytes back, with the types and dispositions the files call for
  for (const [who, client] of [['alice', alice], ['bob', bob]]) {
    const pdf = await fetchAs(a.asset_url, client._getToken());
    assert.equal(pdf.status, 200, who);
    assert.deepEqual(pdf.bytes, PDF);
    assert.equal(pdf.headers.get('content-type'), 'application/pdf');
    assert.match(pdf.headers.get('content-disposition'), /^attachment; filename="?quote\.pdf"?$/);
    assert.equal(pdf.headers.get('x-content-type-options'), 'nosniff');
    const png = await fetchAs(b.image_url, client._getToken());
    assert.equal(png.status, 200, who);
    assert.deepEqual(png.bytes, PNG);
    assert.equal(png.headers.get('content-type'), 'image/png');
    assert.match(png.headers.get('content-disposition'), /^inline/);
  }
  // a server token may fetch too
  assert.equal((await fetchAs(a.asset_url, admin._getToken())).status, 200);
});

test('a non-member cannot upload to the channel nor fetch its files', async () => {
  const alice = await connect('alice');
  const mallory = await connect('mallory');
  const stored = await alice.channel('messaging', 'project-files').sendFile(PDF, 'secret.pdf', 'application/pdf');

  const cm = mallory.channel('messaging', 'project-files');
  for (const send of [() => cm.sendFile(PDF, 'x.pdf', 'application/pdf'), () => cm.sendImage(PNG, 'x.png', 'image/png')]) {
    await assert.rejects(send(), (err) => {
      assert.equal(err.code, 17);
      assert.equal(err.status, 403);
      assert.match(err.message, /not allowed to access Resource ReadChannel/);
      return true;
    });
  }
  // the signed URL alone is not enough: the fetcher must be a member
  const r = await fetchAs(stored.file, mallory._getToken());
  assert.equal(r.status, 403);
  assert.equal(JSON.parse(r.bytes).code, 17);
  assert.equal((await fetchAs(stored.file, null)).status, 401, 'no token');
  assert.equal((await fetchAs(stored.file, null, { apiKey: null })).status, 401, 'nothing at all');
  // a member with a tampered or missing signature is refused, and so is another file's name
  const token = alice._getToken();
  const tampered = stored.file.replace(/Signature=([0-9a-f])/, (_, c) => `Signature=${c === '0' ? '1' : '0'}`);
  assert.equal((await fetchAs(tampered, token)).status, 403);
  const later = new URL(stored.file);
  later.searchParams.set('Expires', String(Number(later.searchParams.get('Expires')) + 3600));
  assert.equal((await fetchAs(later.toString(), token)).status, 403, 'a longer expiry is not signed');
  const unsigned = new URL(stored.file);
  unsigned.search = '';
  assert.equal((await fetchAs(unsigned.toString(), token)).status, 403);
  assert.equal((await fetchAs(stored.file.replace('/secret.pdf?', '/other.pdf?'), token)).status, 404);
  assert.equal((await fetchAs(stored.file.replace(/uploads\/[0-9a-f-]{36}/, `uploads/${randomUUID()}`), token)).status, 404);
  const traversal = await fetchAs(stored.file.replace(/uploads\/[0-9a-f-]{36}/, 'uploads/..%2F..%2Fetc'), token);
  assert.ok([400, 404].includes(traversal.status), `a path out of the directory: ${traversal.status}`);

  // removing a member takes their access to the channel's files with it
  await admin.channel('messaging', 'project-files').removeMembers(['bob']);
  try {
    const bob = await connect('bob');
    assert.equal((await fetchAs(stored.file, bob._getToken())).status, 403);
  } finally {
    await admin.channel('messaging', 'project-files').addMembers(['bob']);
  }
});

test("the service's limits: size, image types, a file part; frozen channels refuse", async () => {
  const alice = await connect('alice');
  const ch = alice.channel('messaging', 'project-files');

  await assert.rejects(ch.sendFile(Buffer.alloc(MAX_UPLOAD + 1, 0x41), 'big.txt', 'text/plain'), (err) => {
    assert.equal(err.status, 413);
    assert.equal(err.code, 22);
    assert.match(err.message, new RegExp(`UploadFile failed with error: "file is too large: the limit is ${MAX_UPLOAD} bytes"`));
    return true;
  });
  // exactly at the limit is fine
  const full = await ch.sendFile(Buffer.alloc(MAX_UPLOAD, 0x42), 'full.txt', 'text/plain');
  assert.ok(full.file);

  // an image is judged by its content: a PDF named .png, an HTML page called image/png
  for (const [bytes, name, type] of [[PDF, 'fake.png', 'image/png'], [Buffer.from('<html><script>1</script></html>'), 'page.png', 'image/png']]) {
    await assert.rejects(ch.sendImage(bytes, name, type), (err) => {
      assert.equal(err.status, 400);
      assert.equal(err.code, 4);
      assert.match(err.message, /UploadImage failed with error: "file \S+ is not an image of an allowed type \(image\/bmp, image\/gif, image\/jpeg, image\/png/);
      return true;
    });
  }
  // a plain file endpoint keeps any type, as the service does
  assert.ok((await ch.sendFile(Buffer.from('plain'), 'notes.txt', 'text/plain')).file);

  // a body without a file part, and a JSON body, are refused with the service's code 4
  const form = new FormData();
  form.append('note', 'no file here');
  const url = `${server.url}/channels/messaging/project-files/file?api_key=${API_KEY}`;
  const headers = { Authorization: alice._getToken(), 'Stream-Auth-Type': 'jwt' };
  let res = await fetch(url, { method: 'POST', headers, body: form });
  assert.equal(res.status, 400);
  assert.match((await res.json()).message, /file field is required/);
  res = await fetch(url, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body: '{}' });
  assert.equal(res.status, 400);
  assert.equal((await res.json()).code, 4);
  // a body cut short before its closing boundary stores nothing
  res = await fetch(url, {
    method: 'POST',
    headers: { ...headers, 'Content-Type': 'multipart/form-data; boundary=XyZ' },
    body: '--XyZ\r\nContent-Disposition: form-data; name="file"; filename="cut.txt"\r\n\r\npartial',
  });
  assert.equal(res.status, 400);
  assert.match((await res.json()).message, /ends before its closing boundary/);

  // a frozen channel takes no uploads
  await admin.channel('messaging', 'project-files').updatePartial({ set: { frozen: true } });
  try {
    await assert.rejects(ch.sendFile(PDF, 'late.pdf', 'application/pdf'), (err) => {
      assert.equal(err.code, 17);
      assert.match(err.message, /is frozen/);
      return true;
    });
  } finally {
    await admin.channel('messaging', 'project-files').updatePartial({ set: { frozen: false } });
  }
});

test('stored files survive a restart on the same files directory', async () => {
  const alice = await connect('alice');
  const stored = await alice.channel('messaging', 'project-files').sendFile(PDF, 'kept.pdf', 'application/pdf');
  const token = alice._getToken();
  const port = new URL(server.url).port;
  await closeClientsAndServer(clients, server, assert);
  // the channel state is in memory (no --data), so a new server needs the channel again;
  // the file itself comes back from the directory, on the same address
  server = await startChatServer({ args: ['--max-upload', String(MAX_UPLOAD), '--files', join(dir, 'files'), '--port', port] });
  admin = new StreamChat(API_KEY, API_SECRET, { baseURL: server.url, timeout: 15000 });
  await admin.upsertUsers([{ id: 'alice' }, { id: 'bob' }]);
  await admin.channel('messaging', 'project-files', { members: ['alice', 'bob'], created_by_id: 'alice' }).create();
  const again = await fetchAs(stored.file, token);
  assert.equal(again.status, 200, again.bytes.toString());
  assert.deepEqual(again.bytes, PDF);
});
