// Convergence of the desktop cache with what the server lets its user see, after anything.
//
// A real PocketBase (pb/ migrations and hooks), the real `gigdesk-sync --follow` for one
// freelancer ("the watcher"), and writers through the official PocketBase JS SDK: owners,
// other freelancers and a superuser (single writes and batches), on a schedule drawn from a
// seed. The schedule mixes visibility changes (hiring, cancelling, soft deletes, reopening,
// relations moved by the superuser), hard deletes, and disruptions: the client SIGKILLed and
// restarted, SIGSTOPped and continued, the server restarted. After the last write the cache
// (the SQLite file, read with the sqlite3 CLI) must equal what the watcher can list, by
// (collection, id, updated, deleted), and its Open Projects query must equal the server's open
// projects. Bounded: a fixed number of steps per seed, a settle deadline.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export const SOURCE_ROOT = process.env.GIG_SOURCE_ROOT;
export const BUILD_ROOT = process.env.GIG_BUILD_ROOT;
export const POCKETBASE = process.env.GIG_POCKETBASE;
const SUPERUSER = { email: 'root@example.com', password: 'root-pass-123456' };
const PASSWORD = 'user-pass-123456';
const COLLECTIONS = ['users', 'projects', 'proposals', 'milestones'];
const SETTLE_DEADLINE_MS = 20000;

export async function loadSdk() {
  try {
    return (await import('pocketbase')).default;
  } catch {
    return null;
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// mulberry32: a small seeded generator, so that a failing seed can be replayed
function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    pick: (list) => list[Math.floor(next() * list.length)],
    chance: (p) => next() < p,
  };
}

/* ---- the server ------------------------------------------------------------------------ */

async function pbServe(dir, port) {
  const { stdout } = await execFileP(join(SOURCE_ROOT, 'build-aux', 'pb-serve'), [
    '--pocketbase', POCKETBASE, '--dir', dir, '--port', String(port),
  ], { timeout: 60000, env: { ...process.env, GIG_PB_SUPERUSER: `${SUPERUSER.email}:${SUPERUSER.password}` } });
  const m = /url=(\S+) pid=(\d+)/.exec(stdout.trim());
  if (!m) throw new Error(`unexpected pb-serve output: ${stdout}`);
  return { url: m[1], pid: Number(m[2]) };
}

async function waitGone(pid) {
  for (let i = 0; i < 200; i++) {
    try { process.kill(pid, 0); } catch { return; }
    await sleep(25);
  }
  try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ }
}

export class Server {
  static async start() {
    const s = new Server();
    s.dir = mkdtempSync(join(tmpdir(), 'gigdesk-converge-pb-'));
    const { url, pid } = await pbServe(s.dir, 0);
    s.url = url;
    s.pid = pid;
    s.port = Number(new URL(url).port);
    return s;
  }

  // Same data, same port: what a deployment restart looks like to the clients.
  async restart(downMs) {
    try { process.kill(this.pid, 'SIGTERM'); } catch { /* gone */ }
    await waitGone(this.pid);
    await sleep(downMs);
    for (let attempt = 0; ; attempt++) {
      try {
        this.pid = (await pbServe(this.dir, this.port)).pid;
        return;
      } catch (e) {
        if (attempt >= 20) throw e;
        await sleep(100);   // the port may still be held for a moment
      }
    }
  }

  async stop() {
    try { process.kill(this.pid, 'SIGTERM'); } catch { /* gone */ }
    await waitGone(this.pid);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/* ---- the client under test ------------------------------------------------------------- */

export class Client {
  constructor(serverUrl, email, password) {
    this.serverUrl = serverUrl;
    this.email = email;
    this.password = password;
    this.dir = mkdtempSync(join(tmpdir(), 'gigdesk-converge-cache-'));
    this.proc = null;
    this.log = '';
  }

  // The first start signs in; later starts restore the token from the keyring, as the app does.
  start({ signIn }) {
    const args = ['--server', this.serverUrl, '--email', this.email, '--follow', '--data-dir', this.dir];
    if (signIn) args.push('--password-stdin');
    const proc = spawn(join(BUILD_ROOT, 'src', 'tools', 'gigdesk-sync'), args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, G_MESSAGES_DEBUG: process.env.GIG_CONVERGE_DEBUG ? 'all' : '' },
    });
    proc.stdout.on('data', (d) => { this.log += d; });
    proc.stderr.on('data', (d) => { this.log += d; });
    if (signIn) proc.stdin.write(`${this.password}\n`);
    proc.stdin.end();
    this.proc = proc;
    this.exited = new Promise((r) => proc.on('exit', (code, sig) => r({ code, sig })));
  }

  cachePath(userId) { return join(this.dir, userId, 'cache.sqlite'); }

  async kill() {
    this.proc.kill('SIGKILL');
    await this.exited;
  }

  stopSignal() { this.proc.kill('SIGSTOP'); }
  continueSignal() { this.proc.kill('SIGCONT'); }

  async stop() {
    if (this.proc && this.proc.exitCode === null && this.proc.signalCode === null) {
      this.proc.kill('SIGCONT');
      this.proc.kill('SIGTERM');
      const t = setTimeout(() => this.proc.kill('SIGKILL'), 5000);
      await this.exited;
      clearTimeout(t);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/* ---- views: the server's and the cache's ----------------------------------------------- */

async function serverView(pb) {
  const view = new Map();
  for (const c of COLLECTIONS) {
    const items = await pb.collection(c).getFullList({ fields: 'id,updated,deleted', batch: 1000 });
    for (const r of items) view.set(`${c}/${r.id}`, `${r.updated}|${r.deleted ? 1 : 0}`);
  }
  return view;
}

async function serverOpen(pb) {
  const items = await pb.collection('projects').getFullList({
    fields: 'id', filter: 'status = "open" && deleted = false', batch: 1000,
  });
  return new Set(items.map((r) => r.id));
}

async function sql(path, query) {
  const { stdout } = await execFileP('sqlite3', ['-readonly', '-json', path, query], { timeout: 10000 });
  return stdout.trim() ? JSON.parse(stdout) : [];
}

async function cacheView(path) {
  if (!existsSync(path)) return null;
  const union = COLLECTIONS.map((c) =>
    `SELECT '${c}' AS c, id, server_updated AS u, deleted AS d FROM ${c}`).join(' UNION ALL ');
  const rows = await sql(path, union);
  return new Map(rows.map((r) => [`${r.c}/${r.id}`, `${r.u}|${r.d}`]));
}

// The Open Projects list's own condition (GIG_STORE_SCOPE_OPEN_PROJECTS).
async function cacheOpen(path) {
  const rows = await sql(path, "SELECT id FROM projects t WHERE t.deleted = 0 AND t.status = 'open'");
  return new Set(rows.map((r) => r.id));
}

function diff(server, cache) {
  const out = [];
  for (const [k, v] of server) if (cache.get(k) !== v) out.push(`${k}: server ${v}, cache ${cache.get(k) ?? 'missing'}`);
  for (const [k, v] of cache) if (!server.has(k)) out.push(`${k}: only in the cache (${v})`);
  return out;
}

const setDiff = (a, b) => [...a].filter((x) => !b.has(x));

/* ---- one seeded run --------------------------------------------------------------------- */

async function signedIn(PocketBase, url, email, password, collection = 'users') {
  const pb = new PocketBase(url);
  pb.autoCancellation(false);
  await pb.collection(collection).authWithPassword(email, password);
  return pb;
}

async function makeUser(PocketBase, url, name) {
  const pb = new PocketBase(url);
  pb.autoCancellation(false);
  const email = `${name}@example.com`;
  await pb.collection('users').create({ email, name, password: PASSWORD, passwordConfirm: PASSWORD });
  await pb.collection('users').authWithPassword(email, PASSWORD);
  return { pb, id: pb.authStore.record.id, email, name };
}

/* Runs one seed; returns { settleMs, writes, refused, disruptions }. Throws with the
 * divergence if the cache does not converge by the deadline. */
export async function runSeed(PocketBase, server, seed, { steps = 36, log = () => {} } = {}) {
  const r = rng(seed);
  const tag = `s${seed}x${Date.now().toString(36)}`;
  const su = await signedIn(PocketBase, server.url, SUPERUSER.email, SUPERUSER.password, '_superusers');
  const owners = [];
  for (let i = 0; i < 3; i++) owners.push(await makeUser(PocketBase, server.url, `owner${i}${tag}`));
  const others = [];
  for (let i = 0; i < 2; i++) others.push(await makeUser(PocketBase, server.url, `free${i}${tag}`));
  const watcher = await makeUser(PocketBase, server.url, `watcher${tag}`);
  const freelancers = [...others, watcher];

  const stats = { writes: 0, refused: 0, disruptions: [] };
  const projects = [];   // { id, owner } known to the writers (hard deletes remove them)
  const write = async (what, fn) => {
    try {
      await fn();
      stats.writes++;
      stats.lastWrite = Date.now();
    } catch (e) {
      // refusals are part of the schedule (a project no longer open, a server restarting)
      stats.refused++;
      log(`  refused ${what}: ${e?.status ?? ''} ${e?.message ?? e}`);
    }
  };

  const createProject = async (owner) => write('create project', async () => {
    const p = await owner.pb.collection('projects').create({
      title: `p${projects.length} ${tag}`, budget: r.int(1000), status: 'open', owner: owner.id,
    });
    projects.push({ id: p.id, owner });
  });
  for (const owner of owners)
    for (let i = 0; i < 3; i++) await createProject(owner);

  const client = new Client(server.url, watcher.email, PASSWORD);
  client.start({ signIn: true });
  const cache = client.cachePath(watcher.id);

  const project = () => (projects.length ? r.pick(projects) : null);
  const ops = [
    // new open projects and proposals (gains, the watcher sees them live)
    ['create project', 3, async () => createProject(r.pick(owners))],
    ['propose', 3, async () => {
      const p = project(); const f = r.pick(freelancers);
      if (p) await write('propose', () => f.pb.collection('proposals').create(
        { project: p.id, freelancer: f.id, amount: 1 + r.int(500), status: 'sent' }));
    }],
    // hiring: the project leaves the open view of everyone but its participants
    ['hire', 3, async () => {
      const p = project(); if (!p) return;
      await write('hire', async () => {
        const sent = await p.owner.pb.collection('proposals').getFullList({ filter: `project = "${p.id}" && status = "sent"` });
        if (sent.length === 0) {
          const f = r.pick(others);
          sent.push(await f.pb.collection('proposals').create({ project: p.id, freelancer: f.id, amount: 5, status: 'sent' }));
        }
        await p.owner.pb.collection('proposals').update(r.pick(sent).id, { status: 'accepted' });
      });
    }],
    ['cancel', 2, async () => {
      const p = project(); if (p) await write('cancel', () => p.owner.pb.collection('projects').update(p.id, { status: 'cancelled' }));
    }],
    ['reopen', 1, async () => {
      const p = project(); if (p) await write('reopen', () => p.owner.pb.collection('projects').update(p.id, { status: 'open' }));
    }],
    ['soft delete', 2, async () => {
      const p = project(); if (p) await write('soft delete', () => p.owner.pb.collection('projects').update(p.id, { deleted: true }));
    }],
    ['restore', 1, async () => {
      const p = project(); if (p) await write('restore', () => p.owner.pb.collection('projects').update(p.id, { deleted: false }));
    }],
    ['milestone', 2, async () => {
      const p = project(); if (p) await write('milestone', () => p.owner.pb.collection('milestones').create(
        { project: p.id, title: `m ${tag}`, status: 'pending', position: r.int(9) }));
    }],
    ['edit', 2, async () => {
      const p = project(); if (p) await write('edit', () => p.owner.pb.collection('projects').update(p.id, { budget: r.int(5000) }));
    }],
    // the superuser: batches, moved relations, hard deletes
    ['superuser batch', 1, async () => {
      const some = [project(), project(), project()].filter(Boolean);
      if (some.length === 0) return;
      await write('batch', async () => {
        const batch = su.createBatch();
        for (const p of new Set(some))
          batch.collection('projects').update(p.id, r.chance(0.5) ? { status: 'cancelled' } : { deleted: r.chance(0.5) });
        await batch.send();
      });
    }],
    ['move proposal', 1, async () => {
      await write('move proposal', async () => {
        const mine = await su.collection('proposals').getFullList({ filter: `freelancer = "${watcher.id}"` });
        if (mine.length) await su.collection('proposals').update(r.pick(mine).id, { freelancer: r.pick(others).id });
      });
    }],
    ['move owner', 1, async () => {
      const p = project(); if (!p) return;
      const to = r.pick(owners);
      await write('move owner', async () => {
        await su.collection('projects').update(p.id, { owner: to.id });
        p.owner = to;
      });
    }],
    ['hard delete child', 2, async () => {
      await write('hard delete child', async () => {
        const c = r.pick(['proposals', 'milestones']);
        const list = await su.collection(c).getList(1, 50, { filter: r.chance(0.5) ? `freelancer = "${watcher.id}"` : '', skipTotal: true })
          .catch(() => su.collection(c).getList(1, 50, { skipTotal: true }));
        if (list.items.length) await su.collection(c).delete(r.pick(list.items).id);
      });
    }],
    ['hard delete project', 1, async () => {
      const i = projects.length ? r.int(projects.length) : -1; if (i < 0) return;
      const p = projects[i];
      await write('hard delete project', async () => {
        for (const c of ['milestones', 'proposals']) {
          const children = await su.collection(c).getFullList({ filter: `project = "${p.id}"` });
          for (const child of children) await su.collection(c).delete(child.id);
        }
        await su.collection('projects').delete(p.id);
        projects.splice(projects.indexOf(p), 1);
      });
    }],
    ['hard delete user', 1, async () => {
      await write('user comes and goes', async () => {
        const u = await su.collection('users').create({ email: `tmp${r.int(1e9)}${tag}@example.com`, password: PASSWORD, passwordConfirm: PASSWORD });
        await sleep(r.int(300));
        await su.collection('users').delete(u.id);
      });
    }],
  ];
  const weighted = ops.flatMap(([name, weight, fn]) => Array(weight).fill([name, fn]));

  const disrupt = async (kind) => {
    stats.disruptions.push(kind);
    log(`  ${kind}`);
    if (kind === 'kill') {
      // killed before the sign-in finished, the app would ask for the password again
      const tokenSaved = client.log.includes('state:');
      await client.kill();
      await sleep(200 + r.int(600));
      client.start({ signIn: !tokenSaved });
    } else if (kind === 'stop') {
      client.stopSignal();
      await sleep(300 + r.int(1200));
      client.continueSignal();
    } else if (kind === 'server') {
      await server.restart(100 + r.int(400));
    }
  };

  // Writers run side by side (up to three at a time); disruptions come between rounds,
  // some of them while writes continue.
  let step = 0;
  const disruptAt = new Map();
  for (const kind of ['kill', 'stop', 'server'])
    if (r.chance(0.8)) disruptAt.set(4 + r.int(steps - 10), kind);
  while (step < steps) {
    const round = [];
    const width = 1 + r.int(3);
    for (let i = 0; i < width && step < steps; i++, step++) {
      const [name, fn] = r.pick(weighted);
      round.push((async () => { await sleep(r.int(60)); log(`  ${name}`); await fn(); })());
      if (disruptAt.has(step)) round.push(disrupt(disruptAt.get(step)));
    }
    await Promise.all(round);
  }
  // the last words, after every disruption: a project the watcher must see appears, and one
  // the watcher sees only because it is open leaves that view (no event reaches the watcher)
  await createProject(r.pick(owners));
  const openNow = await watcher.pb.collection('projects').getFullList({
    filter: `status = "open" && deleted = false && owner != "${watcher.id}"` +
      ` && proposals_via_project.freelancer ?!= "${watcher.id}"`,
  });
  const leaving = openNow.length ? r.pick(openNow) : null;
  if (leaving) {
    const owner = owners.find((o) => o.id === leaving.owner);
    if (owner) await write('last cancel', () => owner.pb.collection('projects').update(leaving.id, { status: 'cancelled' }));
  }
  const lastWrite = stats.lastWrite;

  // settle: the cache equals the watcher's view, and stays equal
  let differences = ['no cache yet'];
  let settledAt = null;
  while (Date.now() - lastWrite < SETTLE_DEADLINE_MS) {
    const [s, c] = await Promise.all([serverView(watcher.pb), cacheView(cache)]);
    differences = c ? diff(s, c) : ['no cache yet'];
    if (differences.length === 0) {
      settledAt ??= Date.now();
      if (Date.now() - settledAt >= 1000) break;
    } else settledAt = null;
    await sleep(100);
  }
  const [open, openCached] = await Promise.all([serverOpen(watcher.pb), cacheOpen(cache).catch(() => new Set())]);
  await client.stop();
  if (settledAt === null || differences.length > 0) {
    throw new Error(`seed ${seed}: the cache did not converge within ${SETTLE_DEADLINE_MS} ms ` +
      `(${differences.length} differences):\n${differences.slice(0, 20).join('\n')}\n` +
      `disruptions: ${stats.disruptions.join(', ')}\nclient log:\n${client.log.slice(-4000)}`);
  }
  const notOpen = setDiff(openCached, open);
  const missingOpen = setDiff(open, openCached);
  if (notOpen.length || missingOpen.length)
    throw new Error(`seed ${seed}: Open Projects shows ${notOpen.join(', ') || 'nothing'} that the server ` +
      `does not list as open, and lacks ${missingOpen.join(', ') || 'nothing'}`);
  return { settleMs: settledAt - lastWrite, ...stats, visible: (await serverView(watcher.pb)).size };
}
