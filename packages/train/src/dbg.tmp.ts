import { selectBackend } from '@facemask/core';
import { runFold } from '/work/main/packages/train/src/fold.ts';
import { freshRun, preparedDataset } from '/work/main/packages/train/src/test-utils/dataset.ts';
await selectBackend({ prefer: 'wasm' });
const { base } = await preparedDataset(Number(process.env.P ?? 100), 11, Number(process.env.S ?? 32));
const over = JSON.parse(process.argv[2] ?? '{}');
const cfg = await freshRun(base, { model: { arch: 'resnet18', widthMultiplier: 0.25 }, optim: { name: 'adamw', lr: 0.003, weightDecay: 1e-4 }, scheduler: { name: 'cosine' }, loss: { name: 'cross_entropy' }, train: { epochs: 15, batchSize: 16 }, ...over });
const s = await runFold(cfg, { round: 1, fold: 0, quiet: false, log: (l) => console.log(l) });
console.log(JSON.stringify(s));
