// Shared helpers for the backend tests: a real PocketBase per test file, started with
// build-aux/pb-serve on a free loopback port and stopped by PID.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SOURCE_ROOT = process.env.GIG_SOURCE_ROOT;
export const POCKETBASE = process.env.GIG_POCKETBASE;
if (!SOURCE_ROOT || !POCKETBASE)
  throw new Error('GIG_SOURCE_ROOT and GIG_POCKETBASE must be set');

export const SUPERUSER = { email: 'root@example.com', password: 'root-pass-123456' };
export const PASSWORD = 'user-pass-123456';

function run(cmd, args, env) {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { env, timeout: 60000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

export function stopPid(pid) {
  try { process.kill(pid, 'SIGTERM'); } catch { /* already gone */ }
}

async function waitGone(pid) {
  for (let i = 0; i < 100; i++) {
    try { process.kill(pid, 0); } catch { return; }
    await new Promise((r) => setTimeout(r, 50));
  }
  try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
}

/* Starts PocketBase; extraEnv is merged over the environment (STREAM_* etc.). */
export async function startPocketBase({ env = {}, dir = null } = {}) {
  const dataDir = dir ?? mkdtempSync(join(tmpdir(), 'gigdesk-pb-test-'));
  const childEnv = { ...process.env };
  for (const k of ['STREAM_API_KEY', 'STREAM_API_SECRET', 'STREAM_BASE_URL', 'STREAM_TOKEN_TTL'])
    delete childEnv[k];
  Object.assign(childEnv, env);
  // In the environment, never on a command line (where ps shows it).
  childEnv.GIG_PB_SUPERUSER = `${SUPERUSER.email}:${SUPERUSER.password}`;
  const out = await run(join(SOURCE_ROOT, 'build-aux', 'pb-serve'), [
    '--pocketbase', POCKETBASE, '--dir', dataDir, '--port', '0',
  ], childEnv);
  const lines = out.trim().split('\n');
  const m = /^url=(\S+) pid=(\d+)$/.exec(lines[lines.length - 1]);
  if (lines.length !== 1 || !m) throw new Error(`unexpected pb-serve output: ${out}`);
  const server = {
    url: m[1],
    pid: Number(m[2]),
    dir: dataDir,
    async stop({ keepDir = false } = {}) {
      stopPid(server.pid);
      await waitGone(server.pid);
      if (!keepDir && !dir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}

export class Api {
  constructor(url, token = null) {
    this.url = url;
    this.token = token;
  }

  as(token) { return new Api(this.url, token); }

  async req(method, path, body) {
    const headers = {};
    if (this.token) headers.Authorization = this.token;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(this.url + path, {
      method, headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { json = text; }
    return { status: res.status, body: json };
  }

  get(path) { return this.req('GET', path); }
  post(path, body) { return this.req('POST', path, body); }
  patch(path, body) { return this.req('PATCH', path, body); }
  del(path) { return this.req('DELETE', path); }

  list(col, query = '') {
    return this.get(`/api/collections/${col}/records?perPage=500${query}`);
  }
  view(col, id) { return this.get(`/api/collections/${col}/records/${id}`); }
  create(col, body) { return this.post(`/api/collections/${col}/records`, body); }
  update(col, id, body) { return this.patch(`/api/collections/${col}/records/${id}`, body); }
  remove(col, id) { return this.del(`/api/collections/${col}/records/${id}`); }
}

export async function superuserApi(url) {
  const api = new Api(url);
  const r = await api.post('/api/collections/_superusers/auth-with-password',
    { identity: SUPERUSER.email, password: SUPERUSER.password });
  if (r.status !== 200) throw new Error(`superuser login: ${JSON.stringify(r.body)}`);
  return api.as(r.body.token);
}

/* Signs up and signs in a user; returns {id, token, api}. */
export async function makeUser(url, name) {
  const api = new Api(url);
  const email = `${name.toLowerCase()}@example.com`;
  const c = await api.create('users', { email, name, password: PASSWORD, passwordConfirm: PASSWORD });
  if (c.status !== 200) throw new Error(`sign-up ${name}: ${JSON.stringify(c.body)}`);
  const a = await api.post('/api/collections/users/auth-with-password', { identity: email, password: PASSWORD });
  if (a.status !== 200) throw new Error(`sign-in ${name}: ${JSON.stringify(a.body)}`);
  return { id: a.body.record.id, email, token: a.body.token, api: api.as(a.body.token) };
}

export function must(r, what) {
  if (r.status !== 200) throw new Error(`${what}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

const b64url = (buf) => Buffer.from(buf).toString('base64url');

/* Verifies an HS256 JWT with the secret; returns the payload or throws. */
export function verifyJwt(token, secret) {
  const [h, p, s] = token.split('.');
  const header = JSON.parse(Buffer.from(h, 'base64url').toString());
  if (header.alg !== 'HS256') throw new Error(`alg ${header.alg}`);
  const expected = createHmac('sha256', secret).update(`${h}.${p}`).digest();
  const got = Buffer.from(s, 'base64url');
  if (got.length !== expected.length || !timingSafeEqual(got, expected))
    throw new Error('bad signature');
  return JSON.parse(Buffer.from(p, 'base64url').toString());
}

export function signJwt(payload, secret) {
  const h = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const p = b64url(JSON.stringify(payload));
  const s = createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url');
  return `${h}.${p}.${s}`;
}

/* What the stand-in answers: channels keep their creator and members, as on Stream, so a
   channel query answers with the member list; everything else answers {}. */
function fakeAnswer(fake, entry) {
  const m = /^\/channels\/([^/]+)\/([^/]+)(\/query)?$/.exec(entry.path);
  if (!m || entry.method !== 'POST') return {};
  const cid = `${m[1]}:${m[2]}`;
  const body = entry.body && typeof entry.body === 'object' ? entry.body : {};
  let channel = fake.channels.get(cid);
  if (m[3]) {
    if (!channel) {
      channel = { created_by: body.data?.created_by_id ?? '', members: [...(body.data?.members ?? [])] };
      fake.channels.set(cid, channel);
    }
    const offset = body.members?.offset ?? 0, limit = body.members?.limit ?? 100;
    return { channel: { id: m[2], type: m[1], cid, created_by: { id: channel.created_by } },
      members: channel.members.slice(offset, offset + limit).map((id) => ({ user_id: id, user: { id } })) };
  }
  if (channel) {
    for (const id of body.add_members ?? []) if (!channel.members.includes(id)) channel.members.push(id);
    channel.members = channel.members.filter((id) => !(body.remove_members ?? []).includes(id));
  }
  return {};
}

/* A loopback HTTP server standing in for Stream: records every request, and answers
   `failStatus` instead of 201 while it is set (only for requests `shouldFail` picks, if set). */
export async function startFakeStream() {
  const fake = { requests: [], failStatus: 0, shouldFail: null, channels: new Map() };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const url = new URL(req.url, 'http://x');
      let json = null;
      try { json = JSON.parse(body); } catch { json = body; }
      const entry = {
        method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams),
        headers: req.headers, body: json,
      };
      entry.failed = fake.failStatus !== 0 && (!fake.shouldFail || fake.shouldFail(entry));
      fake.requests.push(entry);
      res.writeHead(entry.failed ? fake.failStatus : 201, { 'Content-Type': 'application/json' });
      res.end(entry.failed ? '{"code":-1,"message":"unavailable"}' : JSON.stringify(fakeAnswer(fake, entry)));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  fake.url = `http://127.0.0.1:${server.address().port}`;
  fake.close = () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); });
  return fake;
}

export async function waitFor(what, fn, { timeoutMs = 15000, stepMs = 100 } = {}) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}
