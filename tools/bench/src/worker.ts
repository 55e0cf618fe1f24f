/** One backend per process: `worker.ts <backend> <arch> <size> <batch> <steps>` prints a JSON line. */
import { selectBackend, type BackendName } from '@facemask/engine';
import { measure } from './measure.ts';

const [backend, arch, size, batch, steps] = process.argv.slice(2);
await selectBackend({ prefer: backend as BackendName, log: () => {} });
const m = await measure(arch as string, Number(size), Number(batch), Number(steps));
console.log(JSON.stringify(m));
