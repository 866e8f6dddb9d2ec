// Files on proposals, milestones and users, with the official PocketBase JS SDK against a real
// PocketBase: who may upload, replace and download (with and without a file token), for every
// role of pb/README.md — owner (alice), hired freelancer (bob), other proposer (carol, turned
// down), stranger (dave) and guest — and the schema's size, count and type limits.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import PocketBase from 'pocketbase';
import { makeUser, startPocketBase } from './helpers.mjs';

let server;
const pb = {};        // role -> PocketBase SDK client (guest: no auth)
const user = {};      // role -> {id, token}
const R = {};         // records

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n');
const MiB = 1024 * 1024;

const pdf = (name = 'quote.pdf') => new File([PDF], name, { type: 'application/pdf' });
const png = (name = 'mockup.png') => new File([PNG], name, { type: 'image/png' });
const ROLES = ['alice', 'bob', 'carol', 'dave', 'guest'];

// Runs an SDK call; returns {status, body} for both outcomes.
async function attempt(promise) {
  try {
    return { status: 200, body: await promise };
  } catch (e) {
    if (e?.status === undefined) throw e;
    return { status: e.status, body: e.response };
  }
}

async function ok(promise, what) {
  const r = await attempt(promise);
  assert.equal(r.status, 200, `${what}: ${JSON.stringify(r.body)}`);
  return r.body;
}

// Downloads a stored file as `role`: with a fresh file token of theirs, or with none.
async function download(role, record, name, { token = true, thumb } = {}) {
  const client = pb[role];
  const query = {};
  if (token) query.token = await client.files.getToken();
  if (thumb) query.thumb = thumb;
  const res = await fetch(client.files.getURL(record, name, query));
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()), type: res.headers.get('content-type') };
}

before(async () => {
  server = await startPocketBase();
  const made = await Promise.all(['Alice', 'Bob', 'Carol', 'Dave'].map((n) => makeUser(server.url, n)));
  for (const u of made) {
    const role = u.email.split('@')[0];
    user[role] = u;
    pb[role] = new PocketBase(server.url);
    pb[role].autoCancellation(false);
    pb[role].authStore.save(u.token, { id: u.id, collectionName: 'users' });
  }
  pb.guest = new PocketBase(server.url);
  pb.guest.autoCancellation(false);

  const project = (title) => ok(pb.alice.collection('projects').create(
    { title, budget: 500, currency: 'EUR', status: 'open', owner: user.alice.id }), title);
  const propose = (role, projectId, files) => ok(pb[role].collection('proposals').create(
    { project: projectId, freelancer: user[role].id, amount: 400, status: 'sent', attachments: files }), 'proposal');

  // hired: bob accepted (with a portfolio), carol turned down; one milestone, submitted by bob
  R.hired = await project('hired');
  R.bobProposal = await propose('bob', R.hired.id, [pdf('portfolio.pdf'), png()]);
  R.carolProposal = await propose('carol', R.hired.id, [pdf('carol.pdf')]);
  await ok(pb.alice.collection('proposals').update(R.bobProposal.id, { status: 'accepted' }), 'accept');
  R.milestone = await ok(pb.alice.collection('milestones').create(
    { project: R.hired.id, title: 'design', amount: 100, status: 'pending' }), 'milestone');
  await ok(pb.bob.collection('milestones').update(R.milestone.id, { status: 'in_progress' }), 'start');
  R.milestone = await ok(pb.bob.collection('milestones').update(R.milestone.id,
    { status: 'submitted', deliverables: [pdf('design.pdf'), png('design.png')] }), 'submit');

  // open: bob and carol both have sent proposals (for edits while sent)
  R.open = await project('open');
  R.bobOpen = await propose('bob', R.open.id, [pdf()]);
  R.carolOpen = await propose('carol', R.open.id, []);
});

after(async () => { await server?.stop(); });

// --------------------------------------------------------------------------- downloads
test('proposal attachments: only the project owner and the author download them, always with a token', async () => {
  const record = R.bobProposal;
  assert.equal(record.attachments.length, 2);
  const name = record.attachments[0];
  const expected = { alice: 200, bob: 200, carol: 404, dave: 404 };
  for (const [role, status] of Object.entries(expected)) {
    const got = await download(role, record, name);
    assert.equal(got.status, status, `${role} with a token`);
    if (status === 200) assert.deepEqual(got.bytes, PDF, `${role} gets the stored bytes`);
    assert.equal((await download(role, record, name, { token: false })).status, 404, `${role} without a token`);
  }
  assert.equal((await download('guest', record, name, { token: false })).status, 404, 'guest');
  // a guest gets no file token at all
  const guestToken = await attempt(pb.guest.files.getToken());
  assert.equal(guestToken.status, 401, JSON.stringify(guestToken.body));
});

test('milestone deliverables: the owner and the hired freelancer download them; nobody else', async () => {
  const record = R.milestone;
  assert.equal(record.deliverables.length, 2);
  const expected = { alice: 200, bob: 200, carol: 404, dave: 404 };
  for (const name of record.deliverables) {
    for (const [role, status] of Object.entries(expected)) {
      assert.equal((await download(role, record, name)).status, status, `${role} ${name} with a token`);
      assert.equal((await download(role, record, name, { token: false })).status, 404, `${role} ${name} without`);
    }
    assert.equal((await download('guest', record, name, { token: false })).status, 404, `guest ${name}`);
  }
  // the thumbnail of an image is protected the same way
  const image = record.deliverables.find((n) => n.endsWith('.png'));
  const thumb = await download('alice', record, image, { thumb: '240x240f' });
  assert.equal(thumb.status, 200);
  assert.match(thumb.type, /^image\//);
  assert.equal((await download('dave', record, image, { thumb: '240x240f' })).status, 404);
});

test('a forged or foreign file token, or an auth token, opens nothing', async () => {
  const record = R.bobProposal;
  const url = (token) => pb.alice.files.getURL(record, record.attachments[0], { token });
  assert.equal((await fetch(url('not-a-token'))).status, 404, 'garbage');
  // the session token is not a file token (it would last days, not minutes)
  assert.equal((await fetch(url(user.alice.token))).status, 404, 'an auth token');
  // dave's valid file token does not open alice's and bob's file
  assert.equal((await fetch(url(await pb.dave.files.getToken()))).status, 404, "a stranger's token");
  // a proposal's file URL with a milestone's name (another record's file) is not found either
  const cross = pb.alice.files.getURL(record, R.milestone.deliverables[0], { token: await pb.alice.files.getToken() });
  assert.equal((await fetch(cross)).status, 404);
});

// --------------------------------------------------------------------------- uploads
test('proposal attachments: only the author uploads or replaces them, and only while sent', async () => {
  const id = R.bobOpen.id;
  for (const role of ['alice', 'carol', 'dave', 'guest']) {
    const add = await attempt(pb[role].collection('proposals').update(id, { 'attachments+': [pdf('sneaky.pdf')] }));
    assert.equal(add.status, 404, `${role} adds: ${JSON.stringify(add.body)}`);
    const replace = await attempt(pb[role].collection('proposals').update(id, { attachments: [pdf('sneaky.pdf')] }));
    assert.equal(replace.status, 404, `${role} replaces`);
    const remove = await attempt(pb[role].collection('proposals').update(id, { 'attachments-': R.bobOpen.attachments }));
    assert.equal(remove.status, 404, `${role} removes`);
  }
  // the owner's decision may not carry files either
  const decide = await attempt(pb.alice.collection('proposals').update(R.carolOpen.id,
    { status: 'rejected', attachments: [pdf()] }));
  assert.equal(decide.status, 404);
  assert.equal((await ok(pb.carol.collection('proposals').getOne(R.carolOpen.id), 'view')).status, 'sent');

  // the author adds, replaces and removes while the proposal is sent
  let r = await ok(pb.bob.collection('proposals').update(id, { 'attachments+': [png()] }), 'add');
  assert.equal(r.attachments.length, 2);
  r = await ok(pb.bob.collection('proposals').update(id, { attachments: [pdf('version-2.pdf')] }), 'replace');
  assert.equal(r.attachments.length, 1);
  assert.match(r.attachments[0], /^version_2_\w+\.pdf$/);
  r = await ok(pb.bob.collection('proposals').update(id, { 'attachments-': r.attachments }), 'remove');
  assert.deepEqual(r.attachments, []);

  // a stranger cannot create a proposal in someone else's name with files
  const forged = await attempt(pb.dave.collection('proposals').create(
    { project: R.open.id, freelancer: user.carol.id, amount: 1, status: 'sent', attachments: [pdf()] }));
  assert.equal(forged.status, 400);
  const guest = await attempt(pb.guest.collection('proposals').create(
    { project: R.open.id, freelancer: user.carol.id, amount: 1, status: 'sent', attachments: [pdf()] }));
  assert.equal(guest.status, 400);

  // once decided, the files are frozen with the proposal, with the hook's reason
  const frozen = await attempt(pb.bob.collection('proposals').update(R.bobProposal.id, { 'attachments+': [pdf()] }));
  assert.equal(frozen.status, 400);
  assert.match(frozen.body.message, /only a sent proposal can be edited/);
  const rejected = await attempt(pb.carol.collection('proposals').update(R.carolProposal.id, { attachments: [] }));
  assert.equal(rejected.status, 400);
  assert.equal((await ok(pb.carol.collection('proposals').getOne(R.carolProposal.id), 'carol')).attachments.length, 1);
});

test('milestone deliverables: only the hired freelancer, only in the update that submits', async () => {
  const create = await attempt(pb.alice.collection('milestones').create(
    { project: R.hired.id, title: 'with files', status: 'pending', deliverables: [pdf()] }));
  assert.equal(create.status, 400, 'the owner cannot create a milestone with deliverables');

  const m = await ok(pb.alice.collection('milestones').create(
    { project: R.hired.id, title: 'build', amount: 50, status: 'pending' }), 'milestone');
  // starting is not submitting
  let r = await attempt(pb.bob.collection('milestones').update(m.id, { status: 'in_progress', deliverables: [pdf()] }));
  assert.equal(r.status, 404);
  await ok(pb.bob.collection('milestones').update(m.id, { status: 'in_progress' }), 'start');

  for (const role of ['alice', 'carol', 'dave', 'guest']) {
    r = await attempt(pb[role].collection('milestones').update(m.id, { status: 'submitted', deliverables: [pdf()] }));
    assert.equal(r.status, 404, `${role} submits files: ${JSON.stringify(r.body)}`);
    r = await attempt(pb[role].collection('milestones').update(m.id, { 'deliverables+': [pdf()] }));
    assert.equal(r.status, 404, `${role} adds files`);
  }
  let record = await ok(pb.bob.collection('milestones').update(m.id,
    { status: 'submitted', deliverables: [pdf('build.pdf')] }), 'submit');
  assert.equal(record.deliverables.length, 1);

  // after submitting, nothing changes the files until the owner asks for changes
  r = await attempt(pb.bob.collection('milestones').update(m.id, { status: 'submitted', 'deliverables+': [png()] }));
  assert.equal(r.status, 400);
  assert.match(r.body.message, /only when submitting/);
  r = await attempt(pb.bob.collection('milestones').update(m.id, { status: 'submitted', 'deliverables-': record.deliverables }));
  assert.equal(r.status, 400);
  r = await attempt(pb.alice.collection('milestones').update(m.id, { 'deliverables-': record.deliverables }));
  assert.equal(r.status, 404, 'the owner removes a deliverable');
  r = await attempt(pb.alice.collection('milestones').update(m.id, { status: 'approved', deliverables: [] }));
  assert.equal(r.status, 404, 'the owner approves and drops the files');
  assert.deepEqual((await ok(pb.alice.collection('milestones').getOne(m.id), 'view')).deliverables, record.deliverables);

  // changes requested: the next submission replaces them
  await ok(pb.alice.collection('milestones').update(m.id, { status: 'in_progress' }), 'changes requested');
  record = await ok(pb.bob.collection('milestones').update(m.id,
    { status: 'submitted', deliverables: [pdf('build-v2.pdf')] }), 'resubmit');
  assert.equal(record.deliverables.length, 1);
  assert.match(record.deliverables[0], /^build_v2_\w+\.pdf$/);
  assert.equal((await download('alice', record, record.deliverables[0])).status, 200);
});

test('too large, too many or the wrong type is refused with the reason, and nothing is stored', async () => {
  const id = R.carolOpen.id;
  const big = new File([Buffer.alloc(20 * MiB + 1, 0x41)], 'notes.txt', { type: 'text/plain' });
  let r = await attempt(pb.carol.collection('proposals').update(id, { attachments: [big] }));
  assert.equal(r.status, 400);
  assert.equal(r.body.data.attachments.code, 'validation_file_size_limit');
  assert.match(r.body.data.attachments.message, /maximum allowed file size is 20971520 bytes/);

  // the type comes from the content, not from the name or the declared type
  const html = new File(['<html><script>alert(1)</script></html>'], 'invoice.pdf', { type: 'application/pdf' });
  r = await attempt(pb.carol.collection('proposals').update(id, { attachments: [html] }));
  assert.equal(r.status, 400);
  assert.equal(r.body.data.attachments.code, 'validation_invalid_mime_type');
  const svg = new File(['<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'], 'logo.svg',
    { type: 'image/svg+xml' });
  r = await attempt(pb.carol.collection('proposals').update(id, { attachments: [svg] }));
  assert.equal(r.body.data?.attachments?.code, 'validation_invalid_mime_type', 'no SVG: it could run script');

  r = await attempt(pb.carol.collection('proposals').update(id,
    { attachments: Array.from({ length: 11 }, (_, i) => pdf(`p${i}.pdf`)) }));
  assert.equal(r.status, 400);
  assert.equal(r.body.data.attachments.code, 'validation_too_many_files');
  assert.deepEqual((await ok(pb.carol.collection('proposals').getOne(id), 'view')).attachments, []);
});

test('soft delete keeps the files for those who still see the record', async () => {
  const p = await ok(pb.dave.collection('proposals').create(
    { project: R.open.id, freelancer: user.dave.id, amount: 9, status: 'sent', attachments: [pdf('keep.pdf')] }), 'p');
  const deleted = await ok(pb.dave.collection('proposals').update(p.id, { deleted: true }), 'soft delete');
  assert.equal(deleted.deleted, true);
  assert.deepEqual(deleted.attachments, p.attachments);
  for (const role of ['alice', 'dave']) {
    const got = await download(role, deleted, p.attachments[0]);
    assert.equal(got.status, 200, role);
    assert.deepEqual(got.bytes, PDF);
  }
  assert.equal((await download('bob', deleted, p.attachments[0])).status, 404);
  // and the owner soft-deleting the whole project leaves the milestone's deliverables in place
  const project = await ok(pb.alice.collection('projects').update(R.open.id, { deleted: true }), 'project');
  assert.equal(project.deleted, true);
  assert.equal((await download('alice', deleted, p.attachments[0])).status, 200);
});

test('avatars: each user sets their own; signed-in users see them with a token; images only, 2 MiB', async () => {
  const me = await ok(pb.carol.collection('users').update(user.carol.id, { avatar: png('me.png') }), 'avatar');
  assert.match(me.avatar, /^me\w*\.png$/);
  for (const role of ['alice', 'bob', 'dave', 'guest']) {
    const r = await attempt(pb[role].collection('users').update(user.carol.id, { avatar: png('them.png') }));
    assert.equal(r.status, 404, `${role} replaces carol's avatar`);
  }
  for (const role of ['alice', 'bob', 'carol', 'dave']) {
    assert.equal((await download(role, me, me.avatar)).status, 200, `${role} sees it`);
    assert.equal((await download(role, me, me.avatar, { token: false })).status, 404, `${role} without a token`);
  }
  assert.equal((await download('guest', me, me.avatar, { token: false })).status, 404);
  const thumb = await download('dave', me, me.avatar, { thumb: '96x96' });
  assert.equal(thumb.status, 200);

  let r = await attempt(pb.carol.collection('users').update(user.carol.id, { avatar: pdf('me.pdf') }));
  assert.equal(r.body.data?.avatar?.code, 'validation_invalid_mime_type');
  r = await attempt(pb.carol.collection('users').update(user.carol.id,
    { avatar: new File(['<svg xmlns="http://www.w3.org/2000/svg"/>'], 'me.svg', { type: 'image/svg+xml' }) }));
  assert.equal(r.body.data?.avatar?.code, 'validation_invalid_mime_type');
  const large = Buffer.concat([PNG, Buffer.alloc(2 * MiB, 0)]);
  r = await attempt(pb.carol.collection('users').update(user.carol.id,
    { avatar: new File([large], 'big.png', { type: 'image/png' }) }));
  assert.equal(r.body.data?.avatar?.code, 'validation_file_size_limit');
  assert.equal((await ok(pb.carol.collection('users').getOne(user.carol.id), 'me')).avatar, me.avatar);
});
