// See wasm-size.sh.
import { readFileSync } from 'node:fs';
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { execFileSync } from 'node:child_process';

const WASM = new URL('../pkg/dist/ferrokey_wasm_bg.wasm', import.meta.url);
const INDEX = new URL('../pkg/node.js', import.meta.url).href;
const bytes = readFileSync(WASM);
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const gz = gzipSync(bytes, { level: 9 }).length;
const br = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;

/** Runs `code` (which prints one number of ms) in a fresh node process, 7 times; the median. */
function median(code) {
  const runs = [];
  for (let i = 0; i < 7; i++) {
    runs.push(Number(execFileSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' }).trim()));
  }
  runs.sort((a, b) => a - b);
  return runs[3];
}

const compileMs = median(`
  import { readFileSync } from 'node:fs';
  const b = readFileSync(new URL(${JSON.stringify(WASM.href)}));
  const t = performance.now(); await WebAssembly.compile(b); console.log(performance.now() - t);`);
const startMs = median(`
  const t = performance.now();
  const { createStore } = await import(${JSON.stringify(INDEX)});
  const store = await createStore();
  store.connect().call('PING');
  console.log(performance.now() - t);`);

console.log(`ferrokey .wasm: ${kb(bytes.length)} raw, ${kb(gz)} gzip -9, ${kb(br)} brotli (target ≤ 400 KB gzipped)`);
console.log(`Node ${process.version}: WebAssembly.compile ${compileMs.toFixed(1)} ms; import + createStore + first command ${startMs.toFixed(1)} ms (median of 7 fresh processes)`);
