// ferrokey for Node: the same API as index.js, with the .wasm read from the package directory
// (fetch cannot read file: URLs in Node).
import { readFile } from 'node:fs/promises';
import { _setDefaultSource } from './index.js';

_setDefaultSource(() => readFile(new URL('./dist/ferrokey_wasm_bg.wasm', import.meta.url)));

export { createStore, init, ReplyError } from './index.js';
