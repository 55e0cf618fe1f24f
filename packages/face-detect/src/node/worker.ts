import { parentPort, workerData } from 'node:worker_threads';
import { selectBackend } from '@facemask/engine';
import { decodePhotoFile, PhotoError } from './decode.ts';
import { createNodeDetector } from './modules.ts';
import type { FromWorker, ToWorker, WorkerInit } from './worker-protocol.ts';

const port = parentPort!;
const init = workerData as WorkerInit;
const send = (msg: FromWorker) => port.postMessage(msg);

try {
  const choice = await selectBackend({ prefer: init.backend ?? undefined, log: init.quietBackend ? () => {} : undefined });
  const detector = await createNodeDetector(init.options);
  // Work arrives one message at a time; run it in order so results keep a steady pace.
  let chain = Promise.resolve();
  port.on('message', (msg: ToWorker) => {
    chain = chain.then(async () => {
      if (msg.type === 'done') {
        detector.dispose();
        port.close();
        return;
      }
      try {
        const image = await decodePhotoFile(msg.file);
        send({ type: 'record', index: msg.index, record: await detector.detectRecord(msg.file, image) });
      } catch (err) {
        if (err instanceof PhotoError) send({ type: 'failure', index: msg.index, reason: err.reason });
        else send({ type: 'error', message: `${msg.file}: ${(err as Error).stack ?? String(err)}` });
      }
    });
  });
  send({ type: 'ready', backend: choice.name });
} catch (err) {
  send({ type: 'error', message: `face-detect worker could not start: ${(err as Error).stack ?? String(err)}` });
}
