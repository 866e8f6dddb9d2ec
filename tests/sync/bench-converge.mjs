// Convergence figures for `make bench`; asserts nothing about time.
//
// 1. Settle time: seeded schedules (tests/sync/converge.mjs: concurrent writers, visibility
//    changes, hard deletes, client kills and stops, server restarts), time from the last write
//    (a project leaving the watcher's view) until the cache equals the watcher's view. Target:
//    median <= 5 s.
// 2. What keeping the cache converged costs the server at 100 000 records, in CPU time of the
//    PocketBase process (/proc/<pid>/stat) per request kind, and per minute for the departures
//    design and for the alternatives it was weighed against (a full id listing, which is also
//    the least a digest of the visible ids must read on the server).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Server, loadSdk, runSeed } from './converge.mjs';

const SEEDS = (process.env.GIG_CONVERGE_BENCH_SEEDS || '101,102,103,104,105,106,107,108').split(',').map(Number);
const RECORDS = 100000;
const DEPARTURE_ROWS = 20000;
const REPS = 40;

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const PocketBase = await loadSdk();
if (!PocketBase) {
  console.log('skipped: the pocketbase JS SDK is not installed (build-aux/install-deps)');
  process.exit(0);
}

/* ---- 1. settle time -------------------------------------------------------------------- */
const settles = [];
for (const seed of SEEDS) {
  const server = await Server.start();
  try {
    const r = await runSeed(PocketBase, server, seed);
    settles.push(r.settleMs);
    console.log(`# seed ${seed}: settled ${r.settleMs} ms after the last write (${r.writes} writes, ` +
      `disruptions: ${r.disruptions.join(', ') || 'none'})`);
  } finally {
    await server.stop();
  }
}
console.log(`settle time after the last write: median ${median(settles)} ms, max ${Math.max(...settles)} ms ` +
  `over ${settles.length} seeds (target: median <= 5000 ms)`);

/* ---- 2. server cost at 100 000 records ---------------------------------------------------- */
const TICKS = 100;  // USER_HZ on Linux
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS;
}

async function signedIn(url, email, password, collection = 'users') {
  const pb = new PocketBase(url);
  pb.autoCancellation(false);
  await pb.collection(collection).authWithPassword(email, password);
  return pb;
}

const server = await Server.start();
try {
  const su = await signedIn(server.url, 'root@example.com', 'root-pass-123456', '_superusers');
  const make = async (name) => {
    await su.collection('users').create({ email: `${name}@example.com`, name, password: 'user-pass-123456', passwordConfirm: 'user-pass-123456' });
    return signedIn(server.url, `${name}@example.com`, 'user-pass-123456');
  };
  const owner = await make('owner');
  const watcher = await make('watcher');
  const ownerId = owner.authStore.record.id;

  // Rows straight into the stopped server's database (API seeding runs every hook).
  try { process.kill(server.pid, 'SIGTERM'); } catch { /* gone */ }
  await new Promise((r) => setTimeout(r, 1000));
  const id = "substr(lower(hex(randomblob(8))), 1, 15)";
  const stamp = (n, total) => `strftime('%Y-%m-%d %H:%M:%fZ', julianday('now') - (${total} - ${n}) * 0.0002 / 86400.0 - 1.0 / 1440)`;
  execFileSync('sqlite3', [join(server.dir, 'data.db')], { input: `
.bail on
BEGIN;
CREATE TEMP TABLE s AS WITH RECURSIVE r(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM r WHERE n < ${RECORDS - 1})
  SELECT n, ${id} AS id FROM r;
INSERT INTO projects (id, title, description, budget, currency, status, owner, hired_freelancer,
                      deleted, deleted_at, created, updated)
  SELECT s.id, 'project ' || s.n, 'a description of the work', 100, 'EUR', 'open', '${ownerId}', '',
         0, '', ${stamp('s.n', RECORDS)}, ${stamp('s.n', RECORDS)} FROM s;
INSERT INTO sync_departures (id, source, record, record_updated, everyone, viewers, created, updated)
  SELECT ${id}, 'projects', s.id, ${stamp('s.n', RECORDS)}, 1, '[]', ${stamp('s.n', RECORDS)}, ${stamp('s.n', RECORDS)}
  FROM s WHERE s.n % ${RECORDS / DEPARTURE_ROWS} = 0;
COMMIT;
` });
  await server.restart(0);
  const pid = server.pid;
  const auth = watcher.authStore.token;
  const get = async (path) => {
    const r = await fetch(server.url + path, { headers: { Authorization: auth } });
    if (r.status !== 200) throw new Error(`${path}: HTTP ${r.status}`);
    return r.json();
  };
  // CPU ms of the server per call of fn, over REPS calls (after two to warm up)
  const measure = async (name, fn, reps = REPS, warm = 2) => {
    for (let i = 0; i < warm; i++) await fn();
    const before = cpuMs(pid);
    const start = process.hrtime.bigint();
    for (let i = 0; i < reps; i++) await fn();
    const wall = Number(process.hrtime.bigint() - start) / 1e6 / reps;
    const cpu = (cpuMs(pid) - before) / reps;
    console.log(`${name}: ${cpu.toFixed(2)} ms server CPU, ${wall.toFixed(1)} ms wall per call`);
    return cpu;
  };

  const now = new Date().toISOString().replace('T', ' ');
  const q = (filter, fields) => `?sort=updated,id&skipTotal=1&perPage=1000&fields=${fields}&filter=${encodeURIComponent(filter)}`;
  const some = (await get(`/api/collections/projects/records?perPage=50&skipTotal=1&fields=id`)).items.map((r) => r.id);

  const emptyDepartures = await measure(`empty departures pull (${DEPARTURE_ROWS} rows kept, ${RECORDS} projects)`,
    () => get(`/api/collections/sync_departures/records${q(`updated >= "${now}"`, 'id,updated,source,record,record_updated')}`));
  const emptyRecords = await measure('empty incremental pull of projects (the existing cost of a cycle, per collection)',
    () => get(`/api/collections/projects/records${q(`updated >= "${now}"`, 'id')}`));
  const verify = await measure('re-check of 50 departed ids (one list by id)',
    () => get(`/api/collections/projects/records${q(some.map((x) => `id="${x}"`).join('||'), 'id')}`));
  const refresh = await measure('token check before/after a re-check (auth-refresh)', async () => {
    const r = await fetch(`${server.url}/api/collections/users/auth-refresh`, { method: 'POST', headers: { Authorization: auth } });
    if (r.status !== 200) throw new Error(`refresh: ${r.status}`);
  });
  const fullListing = await measure(`full id listing of ${RECORDS} visible projects (reconciliation; the least a digest reads)`, async () => {
    let after = null;
    for (;;) {
      const filter = after ? `(updated > "${after.updated}" || (updated = "${after.updated}" && id > "${after.id}"))` : '';
      const page = await get(`/api/collections/projects/records?sort=updated,id&skipTotal=1&perPage=1000&fields=id,updated` +
        (filter ? `&filter=${encodeURIComponent(filter)}` : ''));
      if (page.items.length < 1000) break;
      after = page.items[page.items.length - 1];
    }
  }, 1, 0);

  // Per minute, for one client. A cycle (pull) runs on every live event and every 5 minutes.
  const cycle = emptyDepartures;
  const perChange = cycle + verify + 2 * refresh;
  console.log(`departures, idle (a pull every 5 min): ${(cycle / 5).toFixed(2)} ms server CPU per minute per client`);
  console.log(`departures, 60 changes per minute that reach this client's cache: ${(60 * perChange).toFixed(0)} ms server CPU per minute per client`);
  console.log(`departures, 60 changes per minute elsewhere (pull only): ${(60 * cycle).toFixed(0)} ms server CPU per minute per client`);
  console.log(`full id listing every 5 s (prompt without departures): ${(12 * fullListing).toFixed(0)} ms server CPU per minute per client`);
  console.log(`digest of visible ids every 5 s: at least ${(12 * fullListing).toFixed(0)} ms server CPU per minute per client (reads as much as a listing)`);
  console.log(`full id listing daily (the remaining backstop): ${(fullListing / 1440).toFixed(2)} ms server CPU per minute per client`);
  console.log(`(for scale: an empty incremental pull of one record collection: ${emptyRecords.toFixed(2)} ms)`);
} finally {
  await server.stop();
}
