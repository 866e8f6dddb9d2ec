// Migrations from an empty data dir (twice on the same dir: an idempotent start) and the
// drift check between the migrations and pb/schema/collections.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { POCKETBASE, SOURCE_ROOT, makeUser, must, startPocketBase, superuserApi } from './helpers.mjs';

// What the Admin UI export holds: every collection without created/updated/oauth2.providers.
async function exportSchema(url) {
  const su = await superuserApi(url);
  const r = must(await su.get('/api/collections?perPage=500&skipTotal=1'), 'collections');
  return r.items.map((c) => {
    delete c.created;
    delete c.updated;
    if (c.oauth2) delete c.oauth2.providers;
    return c;
  });
}

const byId = (cols) => Object.fromEntries(cols.map((c) => [c.id, c]));


test('an empty data dir migrates, and a second start on it changes nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gigdesk-pb-schema-'));
  try {
    const first = await startPocketBase({ dir });
    let schema1, userId;
    try {
      schema1 = await exportSchema(first.url);
      const u = await makeUser(first.url, 'Keeper');
      userId = u.id;
      must(await u.api.create('projects', { title: 'kept', status: 'open', owner: u.id }), 'project');
    } finally {
      await first.stop();
    }

    const second = await startPocketBase({ dir });
    try {
      const schema2 = await exportSchema(second.url);
      assert.deepEqual(byId(schema2), byId(schema1), 'the second start changed the schema');
      const su = await superuserApi(second.url);
      const projects = must(await su.list('projects'), 'projects');
      assert.equal(projects.items.length, 1, 'data survives the restart');
      assert.equal(projects.items[0].owner, userId);
      const settings = must(await su.get('/api/settings'), 'settings');
      assert.equal(settings.batch.enabled, true);
    } finally {
      await second.stop();
    }

    // each migration is recorded exactly once
    const rows = execFileSync(POCKETBASE, ['migrate', 'up', '--dir', dir,
      '--migrationsDir', join(SOURCE_ROOT, 'pb', 'pb_migrations')], { encoding: 'utf8' });
    assert.match(rows, /No new migrations to apply/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('pb/schema/collections.json matches what the migrations produce', async () => {
  const server = await startPocketBase();
  try {
    const live = await exportSchema(server.url);
    const file = JSON.parse(readFileSync(join(SOURCE_ROOT, 'pb', 'schema', 'collections.json'), 'utf8'));
    assert.ok(Array.isArray(file), 'the Admin UI export is a JSON array');
    assert.deepEqual(Object.keys(byId(file)).sort(), Object.keys(byId(live)).sort(), 'same collections');
    for (const [id, col] of Object.entries(byId(live)))
      assert.deepEqual(byId(file)[id], col, `collection ${col.name} drifted from collections.json`);
    for (const name of ['users', 'projects', 'proposals', 'milestones', 'chat_jobs'])
      assert.ok(live.some((c) => c.name === name), name);
  } finally {
    await server.stop();
  }
});

test('the migrations are reversible down to the stock schema', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gigdesk-pb-down-'));
  const args = ['--dir', dir, '--migrationsDir', join(SOURCE_ROOT, 'pb', 'pb_migrations')];
  try {
    execFileSync(POCKETBASE, ['migrate', 'up', ...args], { encoding: 'utf8' });
    const ours = readdirSync(join(SOURCE_ROOT, 'pb', 'pb_migrations')).filter((f) => f.endsWith('.js'));
    const down = execFileSync(POCKETBASE, ['migrate', 'down', String(ours.length), ...args], { encoding: 'utf8', input: 'y\n' });
    for (const m of ours)
      assert.match(down, new RegExp(`Reverted ${m.replace('.js', '')}`));
    const up = execFileSync(POCKETBASE, ['migrate', 'up', ...args], { encoding: 'utf8' });
    assert.match(up, /Applied 1764000001_marketplace/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('pb-serve --seed-demo brings up a living demo, once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gigdesk-pb-seed-'));
  const serve = () => execFileSync(join(SOURCE_ROOT, 'build-aux', 'pb-serve'), [
    '--pocketbase', POCKETBASE, '--dir', dir, '--port', '0', '--seed-demo',
  ], { encoding: 'utf8', env: { ...process.env, GIG_PB_SUPERUSER: 'demo-admin@example.com:demo-admin-pass' } }).trim();
  const signIn = async (base, who) => {
    const r = await fetch(`${base}/api/collections/users/auth-with-password`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ identity: `${who}@example.com`, password: 'gigdesk-demo' }),
    });
    assert.equal(r.status, 200, `${who} signs in`);
    return (await r.json()).token;
  };
  const get = async (base, token, path) => (await fetch(base + path, { headers: { Authorization: token } })).json();
  try {
    for (let round = 0; round < 2; round++) {
      const out = serve();
      const m = /^url=(http:\/\/127\.0\.0\.1:\d+) pid=(\d+)$/.exec(out);
      assert.ok(m, `pb-serve prints one url/pid line, got: ${out}`);
      try {
        const alice = await signIn(m[1], 'alice');
        const projects = await get(m[1], alice, '/api/collections/projects/records?perPage=100');
        const statuses = new Set(projects.items.map((p) => p.status));
        assert.ok(['open', 'in_progress', 'cancelled'].every((s) => statuses.has(s)), [...statuses].join());
        const bob = await signIn(m[1], 'bob');
        const ms = await get(m[1], bob, '/api/collections/milestones/records?perPage=100');
        assert.equal(ms.items.length, 3, 'bob sees the milestones of the project he was hired for');
        const users = await get(m[1], bob, '/api/collections/users/records?perPage=100');
        assert.equal(users.items.length, 4, 'the second run added nothing');
      } finally {
        process.kill(Number(m[2]), 'SIGTERM');
        for (let i = 0; i < 100; i++) {
          try { process.kill(Number(m[2]), 0); } catch { break; }
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
