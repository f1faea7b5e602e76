// The fast path between index.js and the engine (crates/wasm/src/frames.rs): commands are packed into
// wasm memory and replies read back from it as RESP3 bytes, so a command costs one crossing and no JS
// objects are built by the glue.
//
// Packed commands (little-endian u32s): ncommands, then per command argc, then per argument len + bytes.
// Frames: per command run, status (store.rs STATUS_*), len, then len bytes of RESP3 (reply and pushes).

/** What an output item is, in the flat [kind, value, …] arrays `Wire.run` returns. */
export const KIND_REPLY = 0;
export const KIND_PUSH = 1;
/** store.rs STATUS_RESP3: the client speaks RESP3. */
const RESP3 = 32;

/** Pushes that are pub/sub messages: their channel, pattern and payload are read as bytes. */
const MESSAGES = new Set(['message', 'pmessage', 'smessage']);

/** Largest integer a JS number holds exactly. */
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

const utf8 = new TextDecoder();
const encoder = new TextEncoder();

export class Wire {
  #w;
  #memory;
  #heap = new Uint8Array(0);
  #inPtr = 0;
  #inCap = 0;
  #header = 0;
  #makeError;
  // decoder state, valid during one decode
  #buf = null;
  #pos = 0;
  #resp3 = false;
  #buffers = false;

  constructor(w, memory, makeError) {
    this.#w = w;
    this.#memory = memory;
    this.#makeError = makeError;
    this.#header = w.header_ptr();
  }

  /** The memory as bytes; a grown memory detaches the old view (its length drops to 0). */
  #mem() {
    if (this.#heap.byteLength === 0) this.#heap = new Uint8Array(this.#memory.buffer);
    return this.#heap;
  }

  /** Room for `need` bytes of input; returns its address. */
  #input(need) {
    if (need > this.#inCap) {
      this.#inPtr = this.#w.input_ptr(need);
      this.#inCap = need;
    }
    return this.#inPtr;
  }

  /**
   * Runs commands (arrays of strings and Uint8Arrays) for client `id`; stops after one that blocks or
   * closes the client. Returns one entry per command run: `[status, kind, value, kind, value, …]`.
   */
  run(id, commands, buffers) {
    let bound = 4;
    for (const args of commands) {
      bound += 4 + 4 * args.length;
      for (const a of args) bound += typeof a === 'string' ? 3 * a.length : a.byteLength;
    }
    const base = this.#input(bound);
    let heap = this.#mem();
    let p = base;
    p = putU32(heap, p, commands.length);
    for (const args of commands) {
      p = putU32(heap, p, args.length);
      for (const a of args) {
        const at = p + 4;
        let end;
        if (typeof a === 'string') {
          end = putString(heap, at, a);
        } else {
          heap.set(a, at);
          end = at + a.byteLength;
        }
        putU32(heap, p, end - at);
        p = end;
      }
    }
    const len = this.#w.run(id, p - base, Date.now());
    heap = this.#mem();
    return this.#frames(heap, this.#headerPtr(heap), len, buffers);
  }

  /** The output another client's command (or the clock) left for client `id`, as one `run` entry. */
  take(id, buffers) {
    const len = this.#w.take_frame(id);
    const heap = this.#mem();
    return this.#frames(heap, this.#headerPtr(heap), len, buffers)[0];
  }

  #headerPtr(heap) {
    const h = this.#header;
    return (heap[h] | (heap[h + 1] << 8) | (heap[h + 2] << 16) | (heap[h + 3] << 24)) >>> 0;
  }

  #frames(heap, ptr, len, buffers) {
    const out = [];
    const end = ptr + len;
    this.#buf = heap;
    this.#buffers = buffers;
    let p = ptr;
    while (p < end) {
      const status = getU32(heap, p);
      const n = getU32(heap, p + 4);
      const stop = p + 8 + n;
      this.#resp3 = (status & RESP3) !== 0;
      const entry = [status];
      this.#pos = p + 8;
      while (this.#pos < stop) {
        if (heap[this.#pos] === 62 /* > */) entry.push(KIND_PUSH, this.#push());
        else entry.push(KIND_REPLY, this.#value());
      }
      out.push(entry);
      p = stop;
    }
    this.#buf = null;
    return out;
  }

  /** A top-level push; a pub/sub message's parts after its kind as Uint8Arrays (binary payloads). */
  #push() {
    this.#pos++;
    const n = this.#count();
    const arr = new Array(n);
    if (n === 0) return arr;
    arr[0] = this.#value();
    const kind = arr[0] instanceof Uint8Array ? utf8.decode(arr[0]) : arr[0];
    const buffers = this.#buffers;
    if (MESSAGES.has(kind)) this.#buffers = true;
    for (let i = 1; i < n; i++) arr[i] = this.#value();
    this.#buffers = buffers;
    return arr;
  }

  /** The end of the line at #pos (the index of its \r). */
  #eol() {
    const buf = this.#buf;
    let p = this.#pos;
    while (buf[p] !== 13) p++;
    return p;
  }

  /** A non-negative decimal length or count, then CRLF. */
  #count() {
    const buf = this.#buf;
    let p = this.#pos;
    let n = 0;
    for (let c = buf[p]; c !== 13; c = buf[++p]) n = n * 10 + (c - 48);
    this.#pos = p + 2;
    return n;
  }

  #line() {
    const end = this.#eol();
    const s = text(this.#buf, this.#pos, end);
    this.#pos = end + 2;
    return s;
  }

  /** `len` bytes at #pos, as the client asked for bulk strings, then CRLF. */
  #bulkOf(start, end) {
    return this.#buffers ? this.#buf.slice(start, end) : text(this.#buf, start, end);
  }

  #value() {
    const buf = this.#buf;
    const type = buf[this.#pos++];
    switch (type) {
      case 36: {
        // $ bulk string
        const n = this.#count();
        const start = this.#pos;
        this.#pos = start + n + 2;
        return this.#bulkOf(start, start + n);
      }
      case 43: // + simple string: always text
        return this.#line();
      case 58: // : integer
        return int(this.#line());
      case 45: // - error
        return this.#makeError(this.#line());
      case 95: // _ null
        this.#pos += 2;
        return null;
      case 42: // * array
      case 62: {
        // > push
        const n = this.#count();
        const arr = new Array(n);
        for (let i = 0; i < n; i++) arr[i] = this.#value();
        return arr;
      }
      case 37: {
        // % map: a Map in RESP3, a flat array in RESP2
        const n = this.#count();
        if (this.#resp3) {
          const map = new Map();
          for (let i = 0; i < n; i++) {
            const k = this.#value();
            map.set(k, this.#value());
          }
          return map;
        }
        const arr = new Array(2 * n);
        for (let i = 0; i < 2 * n; i++) arr[i] = this.#value();
        return arr;
      }
      case 126: {
        // ~ set
        const n = this.#count();
        if (this.#resp3) {
          const set = new Set();
          for (let i = 0; i < n; i++) set.add(this.#value());
          return set;
        }
        const arr = new Array(n);
        for (let i = 0; i < n; i++) arr[i] = this.#value();
        return arr;
      }
      case 44: {
        // , double: a number in RESP3, its text (a bulk string) in RESP2
        const end = this.#eol();
        const start = this.#pos;
        this.#pos = end + 2;
        if (!this.#resp3) return this.#bulkOf(start, end);
        const s = text(buf, start, end);
        return s === 'inf' ? Infinity : s === '-inf' ? -Infinity : s === 'nan' ? NaN : Number(s);
      }
      case 35: {
        // # boolean: true/false in RESP3, 1/0 in RESP2
        const t = buf[this.#pos] === 116;
        this.#pos += 3;
        return this.#resp3 ? t : t ? 1 : 0;
      }
      case 40: {
        // ( big number: a BigInt in RESP3, its text in RESP2
        const end = this.#eol();
        const start = this.#pos;
        this.#pos = end + 2;
        if (!this.#resp3) return this.#bulkOf(start, end);
        const s = text(buf, start, end);
        try {
          return BigInt(s);
        } catch {
          return s;
        }
      }
      case 61: {
        // = verbatim string: the text after its `fmt:` prefix
        const n = this.#count();
        const start = this.#pos;
        this.#pos = start + n + 2;
        return this.#bulkOf(start + 4, start + n);
      }
      default:
        throw new Error(`ferrokey: unexpected reply type ${String.fromCharCode(type)}`);
    }
  }
}

/** An integer reply: a number when exact, else a BigInt. */
function int(s) {
  if (s.length < 16) return Number(s);
  const n = BigInt(s);
  return n >= -MAX_SAFE && n <= MAX_SAFE ? Number(n) : n;
}

/** UTF-8 bytes as a string (invalid sequences replaced, as Rust's from_utf8_lossy does). */
function text(buf, start, end) {
  if (end - start > 32) return utf8.decode(buf.subarray(start, end));
  let s = '';
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c > 127) return utf8.decode(buf.subarray(start, end));
    s += String.fromCharCode(c);
  }
  return s;
}

function putU32(heap, p, n) {
  heap[p] = n & 255;
  heap[p + 1] = (n >>> 8) & 255;
  heap[p + 2] = (n >>> 16) & 255;
  heap[p + 3] = n >>> 24;
  return p + 4;
}

function getU32(heap, p) {
  return (heap[p] | (heap[p + 1] << 8) | (heap[p + 2] << 16) | (heap[p + 3] << 24)) >>> 0;
}

/** Writes `s` as UTF-8 at `at`; returns the end. The caller reserved 3 bytes per UTF-16 unit. */
function putString(heap, at, s) {
  const n = s.length;
  if (n < 64) {
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 127) return at + i + encoder.encodeInto(s.slice(i), heap.subarray(at + i)).written;
      heap[at + i] = c;
    }
    return at + n;
  }
  return at + encoder.encodeInto(s, heap.subarray(at)).written;
}
