import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as mstl from '@bsull/augurs/mstl';
import * as prophet from '@bsull/augurs/prophet';

/**
 * `@bsull/augurs` ships one wasm-bindgen module per subpath. Its default
 * `init()` fetches the .wasm by URL, which Node 20's fetch cannot do for
 * file: URLs, so each module is initialised once, synchronously, from the
 * bytes of the `*_bg.wasm` file beside it.
 */
const ready = new Set<string>();

function initOnce(name: string, mod: { initSync: (o: { module: BufferSource }) => unknown }): void {
  if (ready.has(name)) return;
  const jsPath = fileURLToPath(import.meta.resolve(`@bsull/augurs/${name}`));
  const wasmPath = jsPath.replace(/\.js$/, '_bg.wasm');
  mod.initSync({ module: readFileSync(wasmPath) });
  ready.add(name);
}

export function augursMstl(): typeof mstl {
  initOnce('mstl', mstl);
  return mstl;
}

export function augursProphet(): typeof prophet {
  initOnce('prophet', prophet);
  return prophet;
}
