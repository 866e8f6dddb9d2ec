// Server-side cost of the desktop's sync lists on a large data set: 40 000 projects, 40 000
// proposals and 20 000 milestones, all projects owned by one user, a freelancer with a proposal
// on each, and a stranger. Prints `name: value` lines; asserts nothing about time.
//
// For each user and collection: an empty incremental page (the steady state of every pull:
// `updated >= cursor`, sort=updated,id, skipTotal, perPage=1000; median of REPS) and the first
// full page (median of 5). The rows are written straight into the stopped server's database
// (the hooks make API seeding take minutes), in the shape the API writes.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeUser, startPocketBase } from './helpers.mjs';

const REPS = Number(process.env.GIG_BENCH_REPS ?? 21);
const PROJECTS = 40000, PROPOSALS = 40000, MILESTONES = 20000;

const WORDS = ('design logo brand website landing page mobile app backend api database migration ' +
  'refactor tests performance audit security review copywriting translation illustration video ' +
  'marketing campaign newsletter shop checkout payments integration dashboard analytics report ' +
  'pipeline cloud deployment monitoring support maintenance accessibility research prototype ').repeat(4);

// One row every 200 us, ending about now: the same spread as the desktop's sync benchmark.
function seedSql(owner, freelancer) {
  const text = (minLen, span) => `substr(w.t, 1 + abs(random()) % 200, ${minLen} + abs(random()) % ${span})`;
  const stamp = (offset) => `strftime('%Y-%m-%d %H:%M:%fZ', b.j + (${offset} + s.n) * 0.0002 / 86400.0)`;
  const id = "substr(lower(hex(randomblob(8))), 1, 15)";
  return `
.bail on
BEGIN;
CREATE TEMP TABLE w AS SELECT '${WORDS}' AS t;
CREATE TEMP TABLE b AS SELECT julianday('now') - ${(PROJECTS + PROPOSALS + MILESTONES) * 0.0002} / 86400.0 AS j;
CREATE TEMP TABLE s AS WITH RECURSIVE r(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM r WHERE n < ${PROJECTS - 1})
  SELECT n, ${id} AS id FROM r;
INSERT INTO projects (id, title, description, budget, currency, status, owner, hired_freelancer,
                      deleted, deleted_at, created, updated)
  SELECT s.id, ${text(20, 30)}, ${text(280, 560)}, 100 + abs(random()) % 19900, 'EUR', 'open',
         '${owner}', '', 0, '', ${stamp(0)}, ${stamp(0)} FROM s, w, b;
INSERT INTO proposals (id, project, freelancer, cover_letter, amount, estimated_days, status,
                       deleted, deleted_at, created, updated)
  SELECT ${id}, s.id, '${freelancer}', ${text(350, 700)}, 100 + abs(random()) % 19900,
         1 + abs(random()) % 59, 'sent', 0, '', ${stamp(PROJECTS)}, ${stamp(PROJECTS)}
  FROM s, w, b WHERE s.n < ${PROPOSALS};
INSERT INTO milestones (id, project, title, description, amount, due_date, position, status,
                        deleted, deleted_at, created, updated)
  SELECT ${id}, s.id, ${text(10, 30)}, ${text(140, 280)}, 50 + abs(random()) % 4950, '', s.n % 5,
         'pending', 0, '', ${stamp(PROJECTS + PROPOSALS)}, ${stamp(PROJECTS + PROPOSALS)}
  FROM s, w, b WHERE s.n < ${MILESTONES};
COMMIT;
`;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function timedGet(url, token) {
  const start = process.hrtime.bigint();
  const r = await fetch(url, { headers: { Authorization: token } });
  const body = await r.json();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 200) throw new Error(`${url}: HTTP ${r.status} ${JSON.stringify(body)}`);
  return { ms, items: body.items.length };
}

const dir = mkdtempSync(join(tmpdir(), 'gigdesk-bench-lists-'));
let server;
try {
  server = await startPocketBase({ dir });
  const users = {};
  for (const name of ['Owner', 'Freelancer', 'Stranger'])
    users[name.toLowerCase()] = await makeUser(server.url, name);
  await server.stop({ keepDir: true });

  const seedStart = Date.now();
  execFileSync('sqlite3', [join(dir, 'data.db')],
    { input: seedSql(users.owner.id, users.freelancer.id), stdio: ['pipe', 'inherit', 'inherit'] });
  console.log(`# seeded ${PROJECTS + PROPOSALS + MILESTONES} records in ${((Date.now() - seedStart) / 1000).toFixed(1)} s`);
  server = await startPocketBase({ dir });

  // past every seeded `updated`: what a pull finds when nothing changed
  await new Promise((r) => setTimeout(r, 50));
  const cursor = new Date().toISOString().replace('T', ' ');
  const incremental = '?sort=updated,id&skipTotal=1&perPage=1000&filter=' +
    encodeURIComponent(`(updated >= "${cursor}")`);
  const first = '?sort=updated,id&skipTotal=1&perPage=1000';

  for (const [who, user] of Object.entries(users)) {
    for (const col of ['users', 'projects', 'proposals', 'milestones']) {
      const base = `${server.url}/api/collections/${col}/records`;
      const empty = [];
      for (let i = 0; i < REPS + 2; i++) {
        const { ms, items } = await timedGet(base + incremental, user.token);
        if (items !== 0) throw new Error(`${who} ${col}: ${items} records after the cursor`);
        if (i >= 2) empty.push(ms);  // the first two warm up
      }
      const full = [];
      let items = 0;
      for (let i = 0; i < 5; i++) {
        const r = await timedGet(base + first, user.token);
        full.push(r.ms);
        items = r.items;
      }
      console.log(`empty incremental page, ${who}, ${col}: ${median(empty).toFixed(1)} ms median ` +
        `(max ${Math.max(...empty).toFixed(1)} ms, ${REPS} runs)`);
      console.log(`first page, ${who}, ${col}: ${median(full).toFixed(1)} ms median (${items} records)`);
    }
  }
} finally {
  await server?.stop({ keepDir: true });
  rmSync(dir, { recursive: true, force: true });
}
