// The probe: one C client (tests/chat/gig-chat-probe) in a child process, requests and events
// as JSON lines.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

function probePath() {
  const root = process.env.GIG_BUILD_ROOT;
  if (!root) throw new Error('GIG_BUILD_ROOT must name the build directory');
  return join(root, 'tests', 'chat', 'gig-chat-probe');
}

export class Probe {
  constructor() {
    this.proc = spawn(probePath(), [], {
      env: { ...process.env, G_MESSAGES_DEBUG: process.env.GIG_CHAT_DEBUG ? 'all' : '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.stderr = '';
    this.events = [];
    this.waiters = new Map();
    this.listeners = new Set();
    this.next = 1;
    this.proc.stderr.on('data', (d) => { this.stderr += d; });
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, signal) => resolve({ code, signal })));
    createInterface({ input: this.proc.stdout }).on('line', (line) => {
      let msg;
      try { msg = JSON.parse(line); } catch { return; }
      if (msg.req !== undefined && this.waiters.has(msg.req)) {
        this.waiters.get(msg.req)(msg);
        this.waiters.delete(msg.req);
      } else if (msg.event) {
        this.events.push(msg);
        for (const l of this.listeners) l(msg);
      }
    });
  }

  call(cmd, args = {}, ms = 20000) {
    const req = this.next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`probe: no answer to ${cmd} in ${ms} ms\n${this.stderr}`)), ms);
      this.waiters.set(req, (msg) => { clearTimeout(timer); resolve(msg); });
      this.proc.stdin.write(JSON.stringify({ req, cmd, ...args }) + '\n');
    });
  }

  async ok(cmd, args = {}, ms) {
    const a = await this.call(cmd, args, ms);
    if (!a.ok) throw new Error(`probe ${cmd}: ${a.error}`);
    return a;
  }

  waitEvent(pred, ms = 15000) {
    const found = this.events.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const l = (ev) => { if (pred(ev)) { this.listeners.delete(l); clearTimeout(timer); resolve(ev); } };
      const timer = setTimeout(() => { this.listeners.delete(l); reject(new Error('probe: event did not come')); }, ms);
      this.listeners.add(l);
    });
  }

  async messages(cid) { return (await this.ok('messages', { cid })); }

  async quit() {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    try { await this.call('quit', {}, 5000); } catch { /* killed below */ }
    const timer = setTimeout(() => { try { this.proc.kill('SIGKILL'); } catch { /* gone */ } }, 5000);
    await this.exited;
    clearTimeout(timer);
  }
}

