// pubsub.js: in-page subscribers, and the relay that carries pub/sub across tabs.
//
// Each tab runs its own store. To make tabs behave like app instances sharing one Valkey, every tab has
// one hidden relay client (CLIENT SETNAME tab-relay) that PSUBSCRIBEs to `*`: each message it sees is
// posted on BroadcastChannel('ferrokey-pubsub'); a tab receiving one PUBLISHes it into its own store,
// so its subscribers get it as from a local publisher. The relay skips what it is itself re-publishing
// (delivery is synchronous, inside the PUBLISH call), so messages never bounce back, and it skips
// keyspace notifications (`__keyspace@…`, `__keyevent@…`), which belong to each store. Only pub/sub
// crosses tabs: keys stay in each tab's own store (the last tab to save wins the IndexedDB snapshot).

const CHANNEL = 'ferrokey-pubsub';
const GLOB = /[*?[]/;
const FEED_MAX = 50;
const DEFAULT_SUBSCRIBERS = [
  { name: 'app-1', subs: ['news', 'chat'] },
  { name: 'app-2', subs: ['news*', 'user:*'] },
];

export class PubSubPanel {
  /** @param {import('ferrokey').Store} store  @param {(line: string) => void} runInConsole */
  constructor(store, runInConsole) {
    this.store = store;
    this.runInConsole = runInConsole;
    this.subsEl = document.getElementById('subs');
    this.tabsEl = document.getElementById('tabs');
    this.fromOtherTab = false;
    this.cards = [];
    for (const d of DEFAULT_SUBSCRIBERS) this.addSubscriber(d.name, d.subs);
    document.getElementById('add-sub').addEventListener('click', () => {
      this.addSubscriber(`app-${this.cards.length + 1}`, ['chat']);
    });
    document.getElementById('publish').addEventListener('submit', (e) => {
      e.preventDefault();
      const ch = document.getElementById('pub-channel').value.trim();
      const msg = document.getElementById('pub-message');
      if (!ch) return;
      this.runInConsole(`PUBLISH ${quote(ch)} ${quote(msg.value)}`);
      msg.value = '';
      msg.focus();
    });
    this.#startRelay();
  }

  addSubscriber(name, subs) {
    const client = this.store.connect({ name, protocol: 3 }); // RESP3: it may run other commands too
    const card = document.createElement('article');
    card.className = 'sub-card';
    card.dataset.client = name;
    card.innerHTML = `<header><strong></strong><span class="muted id"></span></header>
      <div class="chips"></div>
      <form class="sub-form" autocomplete="off"><input placeholder="channel or pattern*" spellcheck="false" aria-label="subscribe to"><button class="btn small">subscribe</button></form>
      <ol class="feed" aria-live="polite"></ol>`;
    card.querySelector('strong').textContent = name;
    card.querySelector('.id').textContent = `id ${client.id}`;
    const chips = card.querySelector('.chips');
    const feed = card.querySelector('.feed');
    const entry = { name, client, card };
    const show = (channel, message, pattern) => {
      const li = document.createElement('li');
      li.className = 'msg fresh' + (this.fromOtherTab ? ' remote' : '');
      const time = new Date(this.store.clock.now()).toLocaleTimeString([], { hour12: false });
      li.innerHTML = '<span class="t"></span><span class="ch"></span><span class="m"></span>';
      li.querySelector('.t').textContent = time;
      li.querySelector('.ch').textContent = pattern ? `${channel} (${pattern})` : channel;
      li.querySelector('.m').textContent = message;
      if (this.fromOtherTab) li.title = 'relayed from another tab';
      feed.prepend(li);
      while (feed.childElementCount > FEED_MAX) feed.lastElementChild.remove();
      setTimeout(() => li.classList.remove('fresh'), 1200);
    };
    client.on('message', (channel, message) => show(channel, message, null));
    client.on('pmessage', (pattern, channel, message) => show(channel, message, pattern));
    const subscribe = (target) => {
      const pattern = GLOB.test(target);
      client.call(pattern ? 'PSUBSCRIBE' : 'SUBSCRIBE', target);
      const chip = document.createElement('span');
      chip.className = 'chip' + (pattern ? ' pattern' : '');
      chip.textContent = target;
      const x = document.createElement('button');
      x.type = 'button';
      x.textContent = '×';
      x.title = `${pattern ? 'PUNSUBSCRIBE' : 'UNSUBSCRIBE'} ${target}`;
      x.onclick = () => {
        client.call(pattern ? 'PUNSUBSCRIBE' : 'UNSUBSCRIBE', target);
        chip.remove();
      };
      chip.append(x);
      chips.append(chip);
    };
    card.querySelector('.sub-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const input = e.target.querySelector('input');
      const target = input.value.trim();
      if (target) subscribe(target);
      input.value = '';
    });
    for (const s of subs) subscribe(s);
    this.subsEl.append(card);
    this.cards.push(entry);
    return entry;
  }

  #startRelay() {
    if (typeof BroadcastChannel === 'undefined') {
      this.tabsEl.textContent = 'this browser has no BroadcastChannel: pub/sub stays in this tab';
      return;
    }
    const bc = new BroadcastChannel(CHANNEL);
    const me = crypto.randomUUID();
    const peers = new Map(); // tab id → last seen (ms)
    const relay = this.store.connect({ name: 'tab-relay' });
    const publisher = this.store.connect({ name: 'tab-relay-publisher' });
    let republishing = false;
    relay.on('pmessage', (_pattern, channel, message) => {
      if (republishing || channel.startsWith('__keyspace@') || channel.startsWith('__keyevent@')) return;
      bc.postMessage({ type: 'publish', from: me, channel, message });
    });
    relay.call('PSUBSCRIBE', '*');
    bc.onmessage = ({ data }) => {
      if (!data || data.from === me) return;
      peers.set(data.from, Date.now());
      if (data.type === 'hello') bc.postMessage({ type: 'here', from: me });
      if (data.type === 'bye') peers.delete(data.from);
      if (data.type === 'publish' && !this.store.closed) {
        republishing = true;
        this.fromOtherTab = true;
        try {
          publisher.call('PUBLISH', data.channel, data.message);
        } finally {
          republishing = false;
          this.fromOtherTab = false;
        }
      }
      this.#showPeers(peers);
    };
    bc.postMessage({ type: 'hello', from: me });
    setInterval(() => {
      bc.postMessage({ type: 'here', from: me });
      for (const [id, seen] of peers) if (Date.now() - seen > 6000) peers.delete(id);
      this.#showPeers(peers);
    }, 2000);
    addEventListener('pagehide', () => bc.postMessage({ type: 'bye', from: me }));
    this.#showPeers(peers);
  }

  #showPeers(peers) {
    const n = peers.size;
    this.tabsEl.textContent = n === 0 ? 'open a second tab: messages cross tabs' : `⇄ linked with ${n} other tab${n === 1 ? '' : 's'}`;
    this.tabsEl.classList.toggle('linked', n > 0);
  }
}

/** An argument as the console parses it back: quoted when it has spaces, quotes or is empty. */
function quote(s) {
  return s !== '' && !/[\s"'\\]/.test(s) ? s : `"${s.replace(/[\\"]/g, '\\$&')}"`;
}
