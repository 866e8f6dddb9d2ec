// The lists the desktop's incremental sync makes (`updated >= cursor`, sorted by updated, id):
// an empty answer for a signed-in user comes without PocketBase's randomized throttle (which a
// guest still gets), in the same shape as PocketBase's own answer, and rules still filter.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Api, makeUser, must, startPocketBase, superuserApi, waitFor } from './helpers.mjs';

let server, su, guest, owner, hired, stranger, projectId;

before(async () => {
  server = await startPocketBase();
  su = await superuserApi(server.url);
  guest = new Api(server.url);
  [owner, hired, stranger] = await Promise.all(
    ['Owner', 'Hired', 'Stranger'].map((n) => makeUser(server.url, n)));
  projectId = must(await owner.api.create('projects',
    { title: 'kept private', status: 'open', owner: owner.id }), 'project').id;
  const proposal = must(await hired.api.create('proposals',
    { project: projectId, freelancer: hired.id, amount: 10, status: 'sent' }), 'proposal').id;
  must(await owner.api.update('proposals', proposal, { status: 'accepted' }), 'accept');
  must(await owner.api.create('milestones',
    { project: projectId, title: 'first', amount: 5, status: 'pending' }), 'milestone');
});

after(async () => { await server?.stop(); });

const syncQuery = (since) => '?sort=updated,id&skipTotal=1&perPage=1000&filter=' +
  encodeURIComponent(`(updated >= "${since}")`);
const FUTURE = '2999-01-01 00:00:00.000Z';

test('an empty incremental page is answered like PocketBase answers it', async () => {
  for (const col of ['users', 'projects', 'proposals', 'milestones']) {
    const mine = must(await owner.api.get(`/api/collections/${col}/records${syncQuery(FUTURE)}`), col);
    const stock = must(await su.get(`/api/collections/${col}/records${syncQuery(FUTURE)}`), col);
    assert.deepEqual(mine, stock, `${col}: same body as the superuser's (stock) answer`);
    assert.deepEqual(mine, { items: [], page: 1, perPage: 1000, totalItems: -1, totalPages: -1 });
  }
  // with totals too
  const counted = must(await owner.api.get(
    `/api/collections/milestones/records?filter=${encodeURIComponent(`updated >= "${FUTURE}"`)}`), 'counted');
  assert.deepEqual(counted, { items: [], page: 1, perPage: 30, totalItems: 0, totalPages: 0 });
});

test('non-empty pages and rule filtering are unchanged', async () => {
  const since = '2000-01-01 00:00:00.000Z';
  const ids = async (api, col) =>
    must(await api.get(`/api/collections/${col}/records${syncQuery(since)}`), col).items.map((i) => i.id);
  assert.equal((await ids(owner.api, 'milestones')).length, 1, 'the owner sees the milestone');
  assert.equal((await ids(hired.api, 'milestones')).length, 1, 'the hired freelancer sees it');
  assert.deepEqual(await ids(stranger.api, 'milestones'), [], 'a stranger does not');
  assert.deepEqual(await ids(stranger.api, 'proposals'), [], 'nor the proposal');
  assert.deepEqual(await ids(guest, 'projects'), [], 'a guest sees nothing');
  // a filter that matches only records the rule hides answers empty, like any empty page
  const probe = must(await stranger.api.get('/api/collections/milestones/records?skipTotal=1&filter=' +
    encodeURIComponent(`project = "${projectId}"`)), 'probe');
  assert.deepEqual(probe.items, []);
});

test('signed-in users are not throttled on empty incremental pages; guests still are', async () => {
  // PocketBase records each throttled answer in its debug log, with the collection
  must(await su.patch('/api/settings', { logs: { minLevel: -4 } }), 'debug logs');
  const collectionId = async (name) => must(await su.get(`/api/collections/${name}`), name).id;
  const [milestonesId, proposalsId] = await Promise.all([collectionId('milestones'), collectionId('proposals')]);

  // well past PocketBase's allowance of 3 empty filtered lists in 3 s per collection
  for (let i = 0; i < 8; i++) {
    for (const who of [owner, hired, stranger])
      must(await who.api.get(`/api/collections/milestones/records${syncQuery(FUTURE)}`), 'user list');
  }
  for (let i = 0; i < 6; i++)
    must(await guest.get(`/api/collections/proposals/records${syncQuery(FUTURE)}`), 'guest list');

  const throttled = async (id) => must(await su.get('/api/logs?perPage=200&filter=' +
    encodeURIComponent(`message ~ "Randomized throttle" && data.collectionId = "${id}"`)), 'logs').items.length;
  // the log is written in batches: wait for the guests' entries, written after the users' requests
  await waitFor('the guests\' throttle entries', async () => (await throttled(proposalsId)) > 0);
  assert.equal(await throttled(milestonesId), 0, 'no signed-in user was throttled');
});
