// resp.js: RESP2/RESP3 on the console's raw connection. The console speaks bytes to the engine, as
// valkey-cli speaks to a server, so it sees every reply's real type (status vs bulk string, double, map…)
// and prints it as valkey-cli does.

const enc = new TextEncoder();
const CRLF = enc.encode('\r\n');

/** A command as RESP multibulk bytes. `args` are Uint8Arrays or strings. */
export function encodeCommand(args) {
  const parts = [enc.encode(`*${args.length}\r\n`)];
  for (const a of args) {
    const bytes = typeof a === 'string' ? enc.encode(a) : a;
    parts.push(enc.encode(`$${bytes.length}\r\n`), bytes, CRLF);
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const latin = new TextDecoder('latin1');
/** ASCII text of a byte range (the protocol's framing lines are ASCII). */
const ascii = (bytes, from, to) => latin.decode(bytes.subarray(from, to));

/**
 * Parses RESP replies from a stream of chunks. Each reply is `{ type, value }`:
 * status, error, integer (string of digits), bulk / verbatim (Uint8Array), nil, double, bool, bignum,
 * array, set, push (value: reply[]), map (value: [k1, v1, k2, v2 …]).
 */
export class RespParser {
  #buf = new Uint8Array(0);

  /** Adds bytes; returns every reply they complete. */
  feed(chunk) {
    if (chunk.length > 0) {
      const merged = new Uint8Array(this.#buf.length + chunk.length);
      merged.set(this.#buf);
      merged.set(chunk, this.#buf.length);
      this.#buf = merged;
    }
    const replies = [];
    for (;;) {
      const parsed = parseAt(this.#buf, 0);
      if (parsed === null) break;
      replies.push(parsed.reply);
      this.#buf = this.#buf.subarray(parsed.end);
    }
    return replies;
  }
}

function lineEnd(buf, from) {
  for (let i = from; i + 1 < buf.length; i++) if (buf[i] === 13 && buf[i + 1] === 10) return i;
  return -1;
}

const AGGREGATES = { '*': 'array', '~': 'set', '>': 'push', '%': 'map', '|': 'attribute' };

/** One reply at `at`: `{ reply, end }`, or null when the buffer holds only part of it. */
function parseAt(buf, at) {
  if (at >= buf.length) return null;
  const eol = lineEnd(buf, at + 1);
  if (eol < 0) return null;
  const tag = String.fromCharCode(buf[at]);
  const line = ascii(buf, at + 1, eol);
  const next = eol + 2;
  switch (tag) {
    case '+':
      return { reply: { type: 'status', value: new TextDecoder().decode(buf.subarray(at + 1, eol)) }, end: next };
    case '-':
      return { reply: { type: 'error', value: new TextDecoder().decode(buf.subarray(at + 1, eol)) }, end: next };
    case ':':
      return { reply: { type: 'integer', value: line }, end: next };
    case ',':
      return { reply: { type: 'double', value: line }, end: next };
    case '#':
      return { reply: { type: 'bool', value: line === 't' }, end: next };
    case '(':
      return { reply: { type: 'bignum', value: line }, end: next };
    case '_':
      return { reply: { type: 'nil' }, end: next };
    case '$':
    case '=':
    case '!': {
      const len = Number(line);
      if (len < 0) return { reply: { type: 'nil' }, end: next };
      if (next + len + 2 > buf.length) return null;
      const value = buf.slice(next, next + len);
      const type = tag === '$' ? 'bulk' : tag === '=' ? 'verbatim' : 'error';
      if (type === 'error') return { reply: { type, value: new TextDecoder().decode(value) }, end: next + len + 2 };
      return { reply: { type, value: type === 'verbatim' ? value.subarray(4) : value }, end: next + len + 2 };
    }
    default: {
      const type = AGGREGATES[tag];
      if (type === undefined) throw new Error(`RESP: unexpected byte ${JSON.stringify(tag)}`);
      const count = Number(line);
      if (count < 0) return { reply: { type: 'nil' }, end: next };
      const n = type === 'map' || type === 'attribute' ? count * 2 : count;
      const items = [];
      let end = next;
      for (let i = 0; i < n; i++) {
        const item = parseAt(buf, end);
        if (item === null) return null;
        items.push(item.reply);
        end = item.end;
      }
      // An attribute annotates the reply that follows it; valkey-cli shows only that reply.
      if (type === 'attribute') return parseAt(buf, end);
      return { reply: { type, value: items }, end };
    }
  }
}
