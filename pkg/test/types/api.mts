// Compiled by types.test.js with tsc --strict: the declarations in index.d.ts describe the API as used.
import { createStore, init, ReplyError, type Client, type Reply, type RawConnection } from 'ferrokey';

await init();
const store = await createStore({ clock: 'manual', now: 0, seed: 1n, config: { hz: 10, 'notify-keyspace-events': 'KEA' } });
const c: Client = store.connect({ protocol: 3, name: 'x', db: 1 });
const r: Reply = c.call('GET', 'k', 1, 2n, new Uint8Array([1]));
const b: Reply<Uint8Array> = c.callBuffer('GET', 'k');
const p: Promise<Reply> = c.send('BLPOP', 'q', 0);
const pb: Promise<Reply<Uint8Array>> = c.sendBuffer('GET', 'k');
c.on('message', (ch: string, msg: string) => void [ch, msg])
  .on('pmessage', (pattern: string, ch: string, msg: string) => void [pattern, ch, msg])
  .on('smessage', (ch: string, msg: string) => void [ch, msg])
  .on('push', (data: Reply[]) => void data)
  .on('monitor', (line: string) => void line);
const id: number = c.id;
const proto: 2 | 3 = c.protocol;
store.clock.advance(10);
store.clock.set(20);
const now: number = store.clock.now();
const snap: Uint8Array = store.snapshot();
const raw: RawConnection = store.connectRaw({ addr: '127.0.0.1:1' });
raw.ondata = (bytes: Uint8Array) => void bytes;
raw.onclose = () => {};
const out: Uint8Array = raw.write(new Uint8Array());
const closing: boolean = raw.shouldClose;
try {
  c.call('NOPE');
} catch (e) {
  if (e instanceof ReplyError) {
    const code: string = e.code;
    const message: string = e.message;
    void [code, message];
  }
}
c.close();
store.close();
void [r, b, p, pb, id, proto, now, snap, out, closing];
