/**
 * One backend per process: `worker.ts <backend> <arch> <size> <batch> <steps> [hardware]` prints
 * a JSON line. `hardware` (from --full) refuses webgpu on a software adapter as auto does: lavapipe
 * would spend hours on --full's rows.
 */
import { defaultLoaders, selectBackend, type BackendName } from '@facemask/engine';
import { measure } from './measure.ts';

const [backend, arch, size, batch, steps, hardware] = process.argv.slice(2);
if (hardware === 'hardware' && backend === 'webgpu') await defaultLoaders().webgpu({ auto: true });
await selectBackend({ prefer: backend as BackendName, log: () => {} });
const m = await measure(arch as string, Number(size), Number(batch), Number(steps));
console.log(JSON.stringify(m));
