// hints.js: command names for Tab completion and the one-line syntax hint, both read from the engine
// itself (COMMAND DOCS for names, summaries and, when the engine provides them, argument specs; COMMAND
// INFO for arity and key positions). Nothing here is a copy of a command table.

/** A flat RESP2 key/value array as a Map (COMMAND DOCS replies are maps flattened to arrays). */
function pairs(flat) {
  const m = new Map();
  for (let i = 0; i + 1 < (flat?.length ?? 0); i += 2) m.set(String(flat[i]), flat[i + 1]);
  return m;
}

/** One argument spec (COMMAND DOCS `arguments`) as valkey-cli's hint writes it: `[NX|XX]`, `key [key ...]`. */
function argHint(spec) {
  const a = pairs(spec);
  const type = a.get('type');
  const token = a.get('token');
  const flags = new Set(a.get('flags') ?? []);
  let inner;
  if (type === 'oneof') inner = (a.get('arguments') ?? []).map(argHint).join('|');
  else if (type === 'block') inner = (a.get('arguments') ?? []).map(argHint).join(' ');
  else if (type === 'pure-token') inner = '';
  else inner = a.get('display_text') ?? a.get('name');
  let text = token ? (inner ? `${token} ${inner}` : token) : inner;
  if (flags.has('multiple')) text = `${text} [${flags.has('multiple_token') && token ? text : inner} ...]`;
  return flags.has('optional') ? `[${text}]` : text;
}

/** Positional placeholders from arity and key positions (what COMMAND INFO tells of a command's shape). */
function derivedHint(arity, firstKey, lastKey, step, words) {
  const n = Math.abs(arity) - words;
  const isKey = (pos) =>
    firstKey > 0 && pos >= firstKey && (lastKey < 0 || pos <= lastKey) && (pos - firstKey) % Math.max(step, 1) === 0;
  const parts = [];
  for (let pos = words; pos < words + n; pos++) parts.push(isKey(pos) ? 'key' : 'arg');
  if (arity < 0) {
    // The repeating tail: a key/value group when keys step through the arguments, else one more of the last.
    if (lastKey < 0 && step > 1) parts.push(`[${['key', ...Array(step - 1).fill('arg')].join(' ')} ...]`);
    else parts.push(`[${lastKey < 0 && firstKey > 0 ? 'key' : 'arg'} ...]`);
  }
  return parts;
}

export class CommandDocs {
  /** name ('set', 'client|kill') → { name, summary, since, group, parts: hint tokens } */
  #docs = new Map();
  /** top-level names, upper case, sorted */
  names = [];

  /** Reads the table from a client (RESP2 `call`). */
  constructor(client) {
    const docs = client.call('COMMAND', 'DOCS');
    const info = new Map();
    const addInfo = (row) => {
      info.set(String(row[0]).toLowerCase(), row);
      for (const sub of row[9] ?? []) addInfo(sub);
    };
    for (const row of client.call('COMMAND', 'INFO')) if (row) addInfo(row);
    const add = (name, doc) => {
      const d = pairs(doc);
      const row = info.get(name);
      const words = name.split('|').length;
      const args = d.get('arguments');
      const parts = args
        ? args.map(argHint)
        : row
          ? derivedHint(Number(row[1]), Number(row[3]), Number(row[4]), Number(row[5]), words)
          : [];
      this.#docs.set(name, {
        name: name.toUpperCase().replace('|', ' '),
        summary: d.get('summary') ?? '',
        since: d.get('since') ?? '',
        group: d.get('group') ?? '',
        fromSpec: Boolean(args),
        parts,
      });
      const subs = d.get('subcommands');
      if (subs) for (let i = 0; i + 1 < subs.length; i += 2) add(String(subs[i]), subs[i + 1]);
    };
    for (let i = 0; i + 1 < docs.length; i += 2) add(String(docs[i]), docs[i + 1]);
    // Subcommands may also be listed only in COMMAND INFO.
    for (const name of info.keys()) if (!this.#docs.has(name)) add(name, []);
    this.names = [...this.#docs.keys()].filter((n) => !n.includes('|')).map((n) => n.toUpperCase()).sort();
  }

  /** The doc of what `words` start with (a subcommand when there is one), and how many words it took. */
  lookup(words) {
    if (words.length === 0) return null;
    const top = words[0].toLowerCase();
    if (words.length > 1) {
      const sub = this.#docs.get(`${top}|${words[1].toLowerCase()}`);
      if (sub) return { doc: sub, used: 2 };
    }
    const doc = this.#docs.get(top);
    return doc ? { doc, used: 1 } : null;
  }

  /** Subcommand names of a container command (CLIENT → ['CACHING', 'GETNAME', …]). */
  subcommands(command) {
    const prefix = command.toLowerCase() + '|';
    return [...this.#docs.keys()]
      .filter((n) => n.startsWith(prefix))
      .map((n) => n.slice(prefix.length).toUpperCase())
      .sort();
  }

  /**
   * The hint for a line being typed, like valkey-cli's: the arguments still to type (placeholders for
   * those already typed are dropped), plus the summary. `words` are the complete words typed so far.
   * Returns null for an unknown command.
   */
  hint(words) {
    const found = this.lookup(words);
    if (!found) return null;
    const { doc, used } = found;
    const typed = words.length - used;
    let rest = doc.parts;
    if (!doc.fromSpec) {
      // Positional placeholders: drop one per typed word, but keep the repeating tail.
      const fixed = rest.filter((p) => !p.startsWith('['));
      const tail = rest.filter((p) => p.startsWith('['));
      rest = [...fixed.slice(Math.min(typed, fixed.length)), ...tail];
    } else {
      const required = rest.filter((p) => !p.startsWith('['));
      const optional = rest.filter((p) => p.startsWith('['));
      rest = [...required.slice(Math.min(typed, required.length)), ...optional];
    }
    const subs = used === 1 ? this.subcommands(words[0]) : [];
    const syntax = subs.length > 0 && typed === 0 ? `<${subs.slice(0, 6).join('|')}${subs.length > 6 ? '|…' : ''}>` : rest.join(' ');
    return { name: doc.name, syntax, summary: doc.summary, since: doc.since, group: doc.group };
  }
}
