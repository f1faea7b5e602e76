// format.js: what valkey-cli does with text in interactive mode. Splitting a typed line into arguments
// (sdssplitargs: quotes, \x escapes) and printing a reply (cliFormatReplyTTY: `(integer) 1`, `"v"`,
// `(nil)`, numbered nested arrays, `(error) ERR …`). Pure functions, no DOM: the tests run them in Node.

const enc = new TextEncoder();
const utf8 = new TextDecoder();

const isHex = (c) => /^[0-9a-fA-F]$/.test(c);
const ESCAPES = { n: '\n', r: '\r', t: '\t', b: '\b', a: '\x07' };

/**
 * A typed line as arguments (Uint8Array each), as valkey-cli splits it: spaces separate, "double quotes"
 * take \n \r \t \b \a \\ \" and \xHH escapes, 'single quotes' take \' only. Returns null for unbalanced
 * quotes or a closing quote not followed by a space (valkey-cli then says "Invalid argument(s)").
 */
export function splitArgs(line) {
  const args = [];
  let i = 0;
  for (;;) {
    while (i < line.length && /\s/.test(line[i])) i++;
    if (i >= line.length) return args;
    const bytes = [];
    const text = (s) => bytes.push(...enc.encode(s));
    let inDq = false;
    let inSq = false;
    for (;;) {
      const c = line[i];
      if (inDq) {
        if (c === undefined) return null;
        if (c === '\\' && line[i + 1] === 'x' && isHex(line[i + 2] ?? '') && isHex(line[i + 3] ?? '')) {
          bytes.push(parseInt(line.slice(i + 2, i + 4), 16));
          i += 3;
        } else if (c === '\\' && line[i + 1] !== undefined) {
          i++;
          text(ESCAPES[line[i]] ?? line[i]);
        } else if (c === '"') {
          if (i + 1 < line.length && !/\s/.test(line[i + 1])) return null;
          i++;
          break;
        } else {
          text(c);
        }
      } else if (inSq) {
        if (c === undefined) return null;
        if (c === '\\' && line[i + 1] === "'") {
          i++;
          text("'");
        } else if (c === "'") {
          if (i + 1 < line.length && !/\s/.test(line[i + 1])) return null;
          i++;
          break;
        } else {
          text(c);
        }
      } else {
        if (c === undefined || /\s/.test(c)) break;
        if (c === '"') inDq = true;
        else if (c === "'") inSq = true;
        else text(c);
      }
      i++;
    }
    args.push(new Uint8Array(bytes));
  }
}

/** Bytes quoted as valkey-cli prints a bulk string (sdscatrepr): printable ASCII as is, others \xHH. */
export function repr(bytes) {
  let out = '"';
  for (const b of bytes) {
    if (b === 0x5c) out += '\\\\';
    else if (b === 0x22) out += '\\"';
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x0d) out += '\\r';
    else if (b === 0x09) out += '\\t';
    else if (b === 0x07) out += '\\a';
    else if (b === 0x08) out += '\\b';
    else if (b >= 0x20 && b <= 0x7e) out += String.fromCharCode(b);
    else out += '\\x' + b.toString(16).padStart(2, '0');
  }
  return out + '"';
}

function isMultiline(r) {
  switch (r.type) {
    case 'array':
    case 'set':
    case 'push':
      if (r.value.length === 0) return false;
      if (r.value.length > 1) return true;
      return isMultiline(r.value[0]);
    case 'map':
      if (r.value.length === 0) return false;
      if (r.value.length > 2) return true;
      return isMultiline(r.value[1]);
    default:
      return false;
  }
}

const EMPTY = { array: '(empty array)', map: '(empty hash)', set: '(empty set)', push: '(empty push)' };

/**
 * A reply as valkey-cli prints it on a terminal, as styled pieces: `[{ text, kind }]` where kind names
 * what the text is (integer, string, nil, error, status, index …) for colouring. Joining the texts gives
 * valkey-cli's exact output, ending with a newline.
 */
export function formatReply(r, prefix = '') {
  const out = [];
  const put = (text, kind = 'plain') => out.push({ text, kind });
  switch (r.type) {
    case 'error':
      put(`(error) ${r.value}\n`, 'error');
      break;
    case 'status':
      put(`${r.value}\n`, 'status');
      break;
    case 'integer':
      put(`(integer) ${r.value}\n`, 'integer');
      break;
    case 'double':
      put(`(double) ${r.value}\n`, 'integer');
      break;
    case 'bignum':
      put(`(big number) ${r.value}\n`, 'integer');
      break;
    case 'bool':
      put(r.value ? '(true)\n' : '(false)\n', 'integer');
      break;
    case 'bulk':
      put(`${repr(r.value)}\n`, 'string');
      break;
    case 'verbatim':
      put(`${utf8.decode(r.value)}\n`, 'plain');
      break;
    case 'nil':
      put('(nil)\n', 'nil');
      break;
    case 'array':
    case 'set':
    case 'push':
    case 'map': {
      const items = r.value;
      if (items.length === 0) {
        put(`${EMPTY[r.type]}\n`, 'nil');
        break;
      }
      const isMap = r.type === 'map';
      const count = isMap ? items.length / 2 : items.length;
      const idxlen = String(count).length;
      const childPrefix = prefix + ' '.repeat(idxlen + 2);
      const sep = r.type === 'set' ? '~' : isMap ? '#' : ')';
      for (let i = 0; i < items.length; i++) {
        const human = (isMap ? i / 2 : i) + 1;
        if (i > 0) put(prefix);
        put(`${String(human).padStart(idxlen)}${sep} `, 'index');
        out.push(...formatReply(items[i], childPrefix));
        if (isMap) {
          i++;
          // The key's newline goes: " => " then the value (on its own lines if it spans several).
          const last = out[out.length - 1];
          last.text = last.text.slice(0, -1);
          put(' => ', 'index');
          if (isMultiline(items[i])) put('\n' + childPrefix);
          out.push(...formatReply(items[i], childPrefix));
        }
      }
      break;
    }
    default:
      put(`(unknown reply type ${r.type})\n`, 'error');
  }
  return out;
}

/** formatReply as plain text (exactly valkey-cli's bytes, as a string). */
export const formatReplyText = (r) =>
  formatReply(r)
    .map((p) => p.text)
    .join('');

/**
 * Commands whose reply valkey-cli prints raw (its text as is, not quoted) even on a terminal: INFO,
 * CLIENT LIST, LATENCY DOCTOR … (valkey-cli's list, in cliSendCommand). `args` are strings.
 */
export function printsRaw(args) {
  const [cmd = '', sub = ''] = args.map((a) => a.toLowerCase());
  const n = args.length;
  return (
    cmd === 'info' ||
    cmd === 'lolwut' ||
    (n >= 2 && cmd === 'debug' && ['htstats', 'htstats-key', 'client-eviction'].includes(sub)) ||
    (n >= 2 && cmd === 'memory' && ['malloc-stats', 'doctor'].includes(sub)) ||
    (n === 2 && cmd === 'cluster' && ['nodes', 'info'].includes(sub)) ||
    (n >= 2 && cmd === 'client' && ['list', 'info'].includes(sub)) ||
    (n === 3 && cmd === 'latency' && sub === 'graph') ||
    (n === 2 && cmd === 'latency' && sub === 'doctor') ||
    (n >= 2 && cmd === 'proxy' && sub === 'info')
  );
}

/** A reply as valkey-cli prints it raw (cliFormatReplyRaw): strings as they are, elements one per line. */
export function formatReplyRaw(r) {
  switch (r.type) {
    case 'nil':
      return '';
    case 'error':
      return `${r.value}\n`;
    case 'status':
    case 'integer':
    case 'double':
    case 'bignum':
      return String(r.value);
    case 'bulk':
    case 'verbatim':
      return utf8.decode(r.value);
    case 'bool':
      return r.value ? '(true)' : '(false)';
    case 'map': {
      const out = [];
      for (let i = 0; i + 1 < r.value.length; i += 2) out.push(`${formatReplyRaw(r.value[i])} ${formatReplyRaw(r.value[i + 1])}`);
      return out.join('\n');
    }
    default:
      return r.value.map(formatReplyRaw).join('\n');
  }
}
