// tour.js: a guided run of the Valkey patterns a web app such as Open WebUI relies on. Each step types
// its command into the console (so the reply is the real one, formatted as valkey-cli shows it) and the
// key browser shows what the command did.

const RATE_LIMIT_LUA =
  "local n = redis.call('INCR', KEYS[1]) " +
  "if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end " +
  "if n > tonumber(ARGV[2]) then return {0, n, redis.call('TTL', KEYS[1])} end " +
  "return {1, n, redis.call('TTL', KEYS[1])}";
const RELEASE_LUA =
  "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

export const TOURS = [
  {
    id: 'revocation',
    title: 'Token revocation',
    intro:
      'Sign-out must kill a JWT that is still valid. The app stores the token id as revoked, with a TTL equal to the token’s remaining lifetime: the entry cleans itself up when the token would have expired anyway.',
    steps: [
      {
        say: 'The user signs out: mark token 7f3a9c revoked for the 30 s it still had to live.',
        cmd: 'SET open-webui:auth:token:7f3a9c:revoked 1 EX 30',
        expect: 'OK\n',
      },
      {
        say: 'Every API request checks its token first. This one is revoked: reject it with 401.',
        cmd: 'EXISTS open-webui:auth:token:7f3a9c:revoked',
        expect: '(integer) 1\n',
      },
      {
        say: 'A token that was never revoked is fine.',
        cmd: 'EXISTS open-webui:auth:token:0b12d4:revoked',
        expect: '(integer) 0\n',
      },
      {
        say: 'The entry does not live forever: watch its TTL count down in the key browser.',
        cmd: 'TTL open-webui:auth:token:7f3a9c:revoked',
      },
    ],
  },
  {
    id: 'ratelimit',
    title: 'Rate limit',
    intro:
      'At most 3 sign-in attempts per user per minute. INCR and EXPIRE must happen together, or a crash between them leaves a counter that never expires: one Lua script makes them atomic. It returns {allowed, count, ttl}.',
    steps: [
      {
        say: 'First attempt: the script creates the counter and starts its 60 s window.',
        cmd: `EVAL "${RATE_LIMIT_LUA}" 1 open-webui:ratelimit:signin:42 60 3`,
      },
      {
        say: 'Two more attempts, still within the limit.',
        cmd: `2 EVAL "${RATE_LIMIT_LUA}" 1 open-webui:ratelimit:signin:42 60 3`,
      },
      {
        say: 'The fourth attempt in the window is refused (first element 0): the app answers 429.',
        cmd: `EVAL "${RATE_LIMIT_LUA}" 1 open-webui:ratelimit:signin:42 60 3`,
      },
      {
        say: 'The counter expires with its window, and the user may try again.',
        cmd: 'TTL open-webui:ratelimit:signin:42',
      },
    ],
  },
  {
    id: 'lock',
    title: 'Distributed lock',
    intro:
      'Several app instances share background work (say, refreshing the model list); only one may run it. A lock is a key set with NX (only if absent) and PX (it expires if its holder dies). Release must delete only your own lock: a Lua script compares the owner id first.',
    steps: [
      {
        say: 'Instance A takes the lock, for 10 s at most.',
        cmd: 'SET open-webui:lock:models instance-a NX PX 10000',
        expect: 'OK\n',
      },
      {
        say: 'Instance B tries too: NX refuses, B skips the job.',
        cmd: 'SET open-webui:lock:models instance-b NX PX 10000',
        expect: '(nil)\n',
      },
      {
        say: 'B tries to release a lock it does not hold: the script sees another owner and deletes nothing.',
        cmd: `EVAL "${RELEASE_LUA}" 1 open-webui:lock:models instance-b`,
        expect: '(integer) 0\n',
      },
      {
        say: 'A finishes and releases its lock: deleted.',
        cmd: `EVAL "${RELEASE_LUA}" 1 open-webui:lock:models instance-a`,
        expect: '(integer) 1\n',
      },
      {
        say: 'Now B can take it.',
        cmd: 'SET open-webui:lock:models instance-b NX PX 10000',
        expect: 'OK\n',
      },
    ],
  },
];

export class Tour {
  /** @param {import('./console.js').Console} console */
  constructor(console) {
    this.console = console;
    this.root = document.getElementById('tour');
    this.busy = false;
    this.position = new Map(TOURS.map((t) => [t.id, 0]));
    this.current = TOURS[0];
    this.#render();
  }

  #render() {
    const tabs = document.createElement('div');
    tabs.className = 'tour-tabs';
    tabs.setAttribute('role', 'tablist');
    for (const t of TOURS) {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'tour-tab';
      b.setAttribute('role', 'tab');
      b.dataset.tour = t.id;
      b.textContent = t.title;
      b.onclick = () => {
        this.current = t;
        this.#renderBody();
      };
      tabs.append(b);
    }
    this.body = document.createElement('div');
    this.body.className = 'tour-body';
    this.root.replaceChildren(tabs, this.body);
    this.#renderBody();
  }

  #renderBody() {
    const t = this.current;
    for (const b of this.root.querySelectorAll('.tour-tab')) b.setAttribute('aria-selected', String(b.dataset.tour === t.id));
    const at = this.position.get(t.id);
    const intro = document.createElement('p');
    intro.className = 'tour-intro';
    intro.textContent = t.intro;
    const ol = document.createElement('ol');
    ol.className = 'steps';
    t.steps.forEach((s, i) => {
      const li = document.createElement('li');
      li.className = i < at ? 'done' : i === at ? 'next' : '';
      const say = document.createElement('p');
      say.textContent = s.say;
      const code = document.createElement('code');
      code.textContent = s.cmd.length > 90 ? s.cmd.slice(0, 87) + '…' : s.cmd;
      code.title = s.cmd;
      li.append(say, code);
      if (s.result !== undefined) {
        const r = document.createElement('pre');
        r.className = 'step-result';
        r.textContent = s.result.trimEnd();
        li.append(r);
      }
      ol.append(li);
    });
    const bar = document.createElement('div');
    bar.className = 'tour-bar';
    const next = document.createElement('button');
    next.type = 'button';
    next.className = 'btn primary';
    next.id = 'tour-next';
    const done = at >= t.steps.length;
    next.textContent = done ? 'Run again' : at === 0 ? '▶ Start' : `▶ Step ${at + 1} of ${t.steps.length}`;
    next.disabled = this.busy;
    next.onclick = () => (done ? this.#restart() : this.step());
    const all = document.createElement('button');
    all.type = 'button';
    all.className = 'btn';
    all.textContent = 'Run the rest';
    all.disabled = this.busy || done;
    all.onclick = () => this.runAll();
    bar.append(next, all);
    this.body.replaceChildren(intro, ol, bar);
  }

  #restart() {
    this.position.set(this.current.id, 0);
    for (const s of this.current.steps) delete s.result;
    this.#renderBody();
  }

  /** Runs the current tour's next step; returns its printed reply. */
  async step() {
    const t = this.current;
    const at = this.position.get(t.id);
    if (this.busy || at >= t.steps.length) return null;
    this.busy = true;
    this.#renderBody();
    try {
      const s = t.steps[at];
      if (at === 0) this.console.note(`— Tour: ${t.title} —`);
      this.console.note(s.say);
      s.result = await this.console.type(s.cmd, { msPerChar: s.cmd.length > 60 ? 4 : 14 });
      this.position.set(t.id, at + 1);
      return s.result;
    } finally {
      this.busy = false;
      this.#renderBody();
    }
  }

  async runAll() {
    while (this.position.get(this.current.id) < this.current.steps.length) await this.step();
  }
}
