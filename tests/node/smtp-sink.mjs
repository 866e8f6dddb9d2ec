// A mail sink on 127.0.0.1: it speaks enough SMTP (RFC 5321) for PocketBase's mailer to hand
// it mails, and keeps them instead of delivering them. The account tests read the mails it
// caught; `make run` starts it so that verification and password-reset mails can be read.
//
// As a module:  const sink = await startSmtpSink(); ... await sink.waitForMail(to); sink.close()
// As a program: node tests/node/smtp-sink.mjs --dir DIR [--port PORT]
//               prints "port=PORT pid=PID" once listening and writes each mail to
//               DIR/<time>-<n>.eml; stop it by PID.
//
// Bounded: at most 16 connections, 1000-byte command lines (RFC 5321's limit), 4 MiB per
// mail, 100 recipients, 60 s of silence per connection; anything beyond is refused with the
// SMTP code a real server would use and the connection closed.
import { createServer } from 'node:net';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const MAX_LINE = 1000;
const MAX_MAIL = 4 * 1024 * 1024;
const MAX_RECIPIENTS = 100;
const MAX_CONNECTIONS = 16;
const IDLE_MS = 60_000;

// "user@example.com" out of "<user@example.com>" or "<user@example.com> SIZE=123"
function pathArgument(rest) {
  const m = /^\s*<([^<>]*)>/.exec(rest);
  return m ? m[1].trim() : null;
}

// The decoded text of a mail body: quoted-printable is undone so tests can read links whole.
function decodeQuotedPrintable(text) {
  return text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, h) => String.fromCharCode(parseInt(h, 16)));
}

function parseMail(raw) {
  const split = raw.indexOf('\r\n\r\n');
  const head = split < 0 ? raw : raw.slice(0, split);
  const body = split < 0 ? '' : raw.slice(split + 4);
  const headers = {};
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return { headers, subject: headers.subject ?? '', text: decodeQuotedPrintable(body) };
}

export async function startSmtpSink({ port = 0, dir = null } = {}) {
  const mails = [];
  const waiters = [];
  let counter = 0;
  if (dir) mkdirSync(dir, { recursive: true });

  function deliver(mail) {
    mails.push(mail);
    if (dir) writeFileSync(join(dir, `${Date.now()}-${++counter}.eml`), mail.raw);
    for (const w of waiters.splice(0)) w();
  }

  const server = createServer((socket) => {
    socket.setTimeout(IDLE_MS, () => socket.destroy());
    let buffer = Buffer.alloc(0);
    let state = 'command';
    let envelope = { from: null, to: [] };
    let data = [];
    let dataBytes = 0;

    const reply = (line) => { if (!socket.destroyed) socket.write(line + '\r\n'); };
    const reset = () => { envelope = { from: null, to: [] }; data = []; dataBytes = 0; };

    function onCommand(line) {
      const verb = line.slice(0, 4).toUpperCase();
      const rest = line.slice(4);
      switch (verb) {
        case 'EHLO': reset(); reply('250-localhost'); reply(`250-SIZE ${MAX_MAIL}`); reply('250 8BITMIME'); break;
        case 'HELO': reset(); reply('250 localhost'); break;
        case 'MAIL': {
          const from = /^\s*FROM:/i.test(rest) ? pathArgument(rest.replace(/^\s*FROM:/i, '')) : null;
          if (from === null) { reply('501 5.5.4 Syntax: MAIL FROM:<address>'); break; }
          reset(); envelope.from = from; reply('250 2.1.0 OK'); break;
        }
        case 'RCPT': {
          const to = /^\s*TO:/i.test(rest) ? pathArgument(rest.replace(/^\s*TO:/i, '')) : null;
          if (envelope.from === null) { reply('503 5.5.1 MAIL first'); break; }
          if (!to) { reply('501 5.5.4 Syntax: RCPT TO:<address>'); break; }
          if (envelope.to.length >= MAX_RECIPIENTS) { reply('452 4.5.3 Too many recipients'); break; }
          envelope.to.push(to); reply('250 2.1.5 OK'); break;
        }
        case 'DATA':
          if (envelope.to.length === 0) { reply('503 5.5.1 RCPT first'); break; }
          state = 'data'; reply('354 End data with <CR><LF>.<CR><LF>'); break;
        case 'RSET': reset(); reply('250 2.0.0 OK'); break;
        case 'NOOP': reply('250 2.0.0 OK'); break;
        case 'QUIT': reply('221 2.0.0 Bye'); socket.end(); break;
        default: reply('502 5.5.2 Command not implemented');
      }
    }

    function onDataLine(line) {
      if (line === '.') {
        const raw = data.join('\r\n') + '\r\n';
        deliver({ from: envelope.from, to: [...envelope.to], raw, ...parseMail(raw) });
        reset();
        state = 'command';
        reply('250 2.0.0 Queued');
        return;
      }
      const text = line.startsWith('.') ? line.slice(1) : line;  // dot-stuffing
      dataBytes += text.length + 2;
      if (dataBytes > MAX_MAIL) {
        reply('552 5.3.4 Message too big');
        socket.destroy();
        return;
      }
      data.push(text);
    }

    socket.on('data', (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const end = buffer.indexOf('\r\n');
        if (end < 0) {
          // a line longer than the limit (a data line may be up to the mail's size)
          if (buffer.length > (state === 'data' ? MAX_MAIL : MAX_LINE)) {
            reply('500 5.5.6 Line too long');
            socket.destroy();
          }
          return;
        }
        if (state === 'command' && end > MAX_LINE) {
          reply('500 5.5.6 Line too long');
          socket.destroy();
          return;
        }
        const line = buffer.subarray(0, end).toString('utf8');
        buffer = buffer.subarray(end + 2);
        if (state === 'data') onDataLine(line); else onCommand(line);
        if (socket.destroyed) return;
      }
    });
    socket.on('error', () => {});
    reply('220 localhost Gigdesk mail sink');
  });
  server.maxConnections = MAX_CONNECTIONS;

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });

  return {
    port: server.address().port,
    mails,
    // the first mail to `to` that `match` (if given) accepts, waiting up to timeoutMs
    async waitForMail(to, { match = null, timeoutMs = 10000 } = {}) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const found = mails.find((m) => m.to.includes(to) && (!match || match(m)));
        if (found) return found;
        const left = end - Date.now();
        if (left <= 0) throw new Error(`no mail to ${to} within ${timeoutMs} ms (caught: ${mails.length})`);
        await new Promise((resolve) => {
          const t = setTimeout(resolve, left);
          waiters.push(() => { clearTimeout(t); resolve(); });
        });
      }
    },
    close() {
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const option = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : null; };
  const dir = option('--dir');
  if (!dir) {
    console.error('usage: smtp-sink.mjs --dir DIR [--port PORT]');
    process.exit(2);
  }
  const sink = await startSmtpSink({ dir, port: Number(option('--port') ?? 0) });
  console.log(`port=${sink.port} pid=${process.pid}`);
  process.on('SIGTERM', () => sink.close().then(() => process.exit(0)));
}
