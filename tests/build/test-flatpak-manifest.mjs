// Checks the Flatpak manifest: it cannot be built here, so it is held to what was decided.
//   node --test-reporter=tap test-flatpak-manifest.mjs MANIFEST APPLICATION_ID
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { dirname, resolve, basename } from 'node:path';

const [manifestPath, appId] = process.argv.slice(2);
assert.ok(manifestPath && appId, 'usage: test-flatpak-manifest.mjs MANIFEST APPLICATION_ID');

// Least privilege: exactly these, each justified in flatpak/README.md.
const ALLOWED_FINISH_ARGS = [
  '--share=network',
  '--share=ipc',
  '--socket=wayland',
  '--socket=fallback-x11',
  '--device=dri',
  '--talk-name=org.freedesktop.secrets',
];

let manifest;

test('the manifest is valid JSON', () => {
  manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  assert.equal(typeof manifest, 'object');
});

test('it is named after the application id', () => {
  assert.equal(basename(manifestPath), `${appId}.json`);
});

test('the application id matches the build', () => {
  const ids = ['id', 'app-id'].filter((key) => key in manifest);
  assert.deepEqual(ids.length, 1, 'exactly one of "id" and "app-id"');
  assert.equal(manifest[ids[0]], appId);
});

test('it builds against the GNOME 50 runtime and SDK', () => {
  assert.equal(manifest.runtime, 'org.gnome.Platform');
  assert.equal(manifest['runtime-version'], '50');
  assert.equal(manifest.sdk, 'org.gnome.Sdk');
});

test('it runs the gigdesk binary', () => {
  assert.equal(manifest.command, 'gigdesk');
});

test('finish-args are exactly the allowed permissions', () => {
  const args = manifest['finish-args'];
  assert.ok(Array.isArray(args));
  assert.equal(new Set(args).size, args.length, 'no permission twice');
  assert.deepEqual([...args].sort(), [...ALLOWED_FINISH_ARGS].sort());
});

test('no module downloads what the runtime already ships', () => {
  // GTK 4, libadwaita, libsoup 3, json-glib, libsecret and SQLite are all in org.gnome.Platform.
  const names = manifest.modules.map((m) => (typeof m === 'string' ? m : m.name));
  assert.deepEqual(names, ['gigdesk']);
});

test('the app module is built with meson from this source tree', () => {
  const app = manifest.modules.at(-1);
  assert.equal(app.name, 'gigdesk');
  assert.equal(app.buildsystem, 'meson');
  assert.equal(app.sources.length, 1);
  const [source] = app.sources;
  assert.equal(source.type, 'dir');
  const root = resolve(dirname(manifestPath), source.path);
  assert.ok(existsSync(resolve(root, 'meson.build')), `${root} holds meson.build`);
  assert.match(readFileSync(resolve(root, 'meson.build'), 'utf8'), /project\('gigdesk'/);
});

test('config-opts only name options the project has', () => {
  const app = manifest.modules.at(-1);
  const root = resolve(dirname(manifestPath), app.sources[0].path);
  const declared = ['meson_options.txt', 'meson.options']
    .map((file) => resolve(root, file))
    .filter((file) => existsSync(file))
    .flatMap((file) => [...readFileSync(file, 'utf8').matchAll(/option\(\s*'([^']+)'/g)].map((m) => m[1]));
  for (const opt of app['config-opts'] ?? []) {
    const name = opt.match(/^-D([^=]+)=/)?.[1];
    // Built-in meson options (buildtype, b_*) are fine; project options must exist.
    if (name && !/^(buildtype|optimization|debug|b_\w+|prefix|libdir)$/.test(name)) {
      assert.ok(declared.includes(name), `-D${name} is a project option`);
    }
  }
});

test('the sandboxed build leaves out the tests, which fetch PocketBase from npm', () => {
  // flatpak-builder has no network during the build.
  const app = manifest.modules.at(-1);
  assert.ok((app['config-opts'] ?? []).includes('-Dtests=false'));
});
