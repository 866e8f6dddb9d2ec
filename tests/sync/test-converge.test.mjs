// The cache converges to what the server lets its user see: a handful of seeds per run
// (GIG_CONVERGE_SEEDS="1,2,3" picks others; see converge.mjs for the schedule).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { Server, loadSdk, runSeed } from './converge.mjs';

const seeds = (process.env.GIG_CONVERGE_SEEDS || '11,12,13').split(',').map(Number);
let PocketBase;

before(async () => { PocketBase = await loadSdk(); });

for (const seed of seeds) {
  test(`seed ${seed}: the cache equals the user's view after writers, hard deletes, kills, stops and server restarts`,
    async (t) => {
      if (!PocketBase) {
        t.skip('the pocketbase JS SDK is not installed: run build-aux/install-deps');
        return;
      }
      // a server per seed: the keyring keeps one account per server, as the app does
      const server = await Server.start();
      let result;
      try {
        result = await runSeed(PocketBase, server, seed, {
          log: process.env.GIG_CONVERGE_DEBUG ? (m) => t.diagnostic(m) : () => {},
        });
      } finally {
        await server.stop();
      }
      t.diagnostic(`seed ${seed}: settled ${result.settleMs} ms after the last write; ${result.writes} writes, ` +
        `${result.refused} refused, disruptions: ${result.disruptions.join(', ') || 'none'}; ${result.visible} records visible`);
      assert.ok(result.writes > 10, 'the schedule wrote');
    });
}
