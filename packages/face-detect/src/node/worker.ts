import { faultPoint } from '@facemask/contracts';
import { selectBackend } from '@facemask/engine';
import { loadAfterDetect } from './after-detect.ts';
import { decodePhotoFile, PhotoError } from './decode.ts';
import { createNodeDetector } from './modules.ts';
import { WORKER_INIT_ENV, type FromWorker, type ToWorker, type WorkerInit } from './worker-protocol.ts';

// A worker process of detectFiles (batch.ts): photos arrive over the IPC channel, records go back.
const init = JSON.parse(process.env[WORKER_INIT_ENV] ?? 'null') as WorkerInit | null;
const send = (msg: FromWorker) => process.send?.(msg);
// The parent is gone (killed, or it stopped the run): nothing is waiting for this work.
process.on('disconnect', () => process.exit(0));

try {
  if (!init || !process.send) throw new Error(`not started by detectFiles (no IPC channel or no ${WORKER_INIT_ENV})`);
  const choice = await selectBackend({ prefer: init.backend ?? undefined, configured: init.configured ?? undefined, log: init.quietBackend ? () => {} : undefined });
  const after = init.afterDetect && (await loadAfterDetect(init.afterDetect));
  const detector = await createNodeDetector(init.options);
  // Work arrives one message at a time; run it in order so results keep a steady pace.
  let chain = Promise.resolve();
  process.on('message', (msg: ToWorker) => {
    chain = chain.then(async () => {
      if (msg.type === 'done') {
        detector.dispose();
        process.disconnect();
        return;
      }
      try {
        const image = await decodePhotoFile(msg.file);
        const record = await detector.detectRecord(msg.file, image);
        send({ type: 'record', index: msg.index, record, extra: after ? after(image, record, msg.file) : null });
        faultPoint('detect-photo');
      } catch (err) {
        if (err instanceof PhotoError) send({ type: 'failure', index: msg.index, reason: err.reason });
        else send({ type: 'error', message: `${msg.file}: ${(err as Error).stack ?? String(err)}` });
      }
    });
  });
  send({ type: 'ready', backend: choice.name });
} catch (err) {
  send({ type: 'error', message: `face-detect worker could not start: ${(err as Error).stack ?? String(err)}` });
  process.exitCode = 1;
}
