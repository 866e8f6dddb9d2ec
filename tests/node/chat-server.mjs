// Starts a gigdesk-chat-server for one test file and stops it by PID.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';

const modules = process.env.GIG_NODE_MODULES;
if (!modules) throw new Error('GIG_NODE_MODULES must name the tests node_modules directory');
export const requireModule = createRequire(modules.replace(/\/?$/, '/'));

export const API_KEY = 'gigdesk-test-key';
export const API_SECRET = 'gigdesk-test-secret-0123456789abcdef';

export async function startChatServer({ args = [], key = API_KEY, secret = API_SECRET } = {}) {
  const exe = process.env.GIG_CHAT_SERVER;
  if (!exe) throw new Error('GIG_CHAT_SERVER must name the gigdesk-chat-server binary');
  const proc = spawn(exe, ['--listen', '127.0.0.1', '--port', '0', ...args], {
    env: { ...process.env, STREAM_API_KEY: key, STREAM_API_SECRET: secret },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), 10000);
    const lines = createInterface({ input: proc.stdout });
    lines.on('line', (line) => {
      if (line.startsWith('url=')) { clearTimeout(timer); resolve(line.slice(4)); }
    });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited ${code}: ${stderr}`)); });
  });
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    url,
    pid: proc.pid,
    stderr: () => stderr,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) process.kill(proc.pid, 'SIGTERM');
      const timer = setTimeout(() => { try { process.kill(proc.pid, 'SIGKILL'); } catch { /* gone */ } }, 5000);
      const result = await exited;
      clearTimeout(timer);
      // A clean exit on SIGTERM proves the shutdown path; in a sanitizer build it is also where
      // LeakSanitizer reports (and fails) a leak in the server.
      if (result.code !== 0) {
        throw new Error(`chat server did not exit cleanly (${JSON.stringify(result)}): ${stderr.slice(-4000)}`);
      }
      return result;
    },
  };
}

// Resolves with the first event of `type` that passes `pred`, or rejects after `ms`.
export function nextEvent(target, type, pred = () => true, ms = 15000) {
  return new Promise((resolve, reject) => {
    let sub;
    const timer = setTimeout(() => { sub?.unsubscribe(); reject(new Error(`no ${type} event within ${ms} ms`)); }, ms);
    sub = target.on(type, (ev) => {
      if (!pred(ev)) return;
      clearTimeout(timer);
      sub.unsubscribe();
      resolve(ev);
    });
  });
}

// Disconnects every SDK client (each may already be closed), then stops the server and
// checks that it exited cleanly.
export async function closeClientsAndServer(clients, server, assert) {
  for (const c of clients.splice(0)) {
    try { await c.disconnectUser(500); } catch { /* already closed */ }
  }
  if (!server) return;
  const { code, signal } = await server.stop();
  assert.ok(code === 0 || signal === 'SIGTERM', `server exit: ${code} ${signal}\n${server.stderr()}`);
}
