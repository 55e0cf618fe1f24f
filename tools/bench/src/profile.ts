/**
 * `profile.ts <backend> <arch> <size> <batch>`: where a training step's time goes on one backend.
 * Prints wall time of the phases (forward, forward+backward, optimiser, inference) and, from
 * tf.profile, time and count per kernel, so JS/tape overhead = wall - sum of kernel time.
 */
import * as tf from '@tensorflow/tfjs-core';
import { selectBackend, type BackendName } from '@facemask/engine';
import { foldBatchNorms } from '@facemask/model-resnet';
import { outputsOf, trainStep } from '@facemask/train';
import { benchStep } from './measure.ts';

const [backend, arch = 'resnet18', sizeArg = '112', batchArg = '16', repsArg = '3'] = process.argv.slice(2);
const size = Number(sizeArg);
const batch = Number(batchArg);
const reps = Number(repsArg);
await selectBackend({ prefer: backend as BackendName, log: (l) => console.log(l) });
tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', false);

const { model, head, optimizer, x, y } = await benchStep(arch, size, batch);

function wall(name: string, f: () => void): number {
  f();
  const times: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < reps; i++) {
    const c = process.cpuUsage();
    const t = performance.now();
    f();
    times.push(performance.now() - t);
    const d = process.cpuUsage(c);
    cpus.push((d.user + d.system) / 1000);
  }
  const best = Math.min(...times);
  const med = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
  console.log(`${name.padEnd(28)} ${best.toFixed(1).padStart(8)} ms  (median ${med(times).toFixed(1)}, cpu median ${med(cpus).toFixed(1)} ms)`);
  return best;
}

const vars = optimizer.params;
wall('train step', () => trainStep(model, head, optimizer, x, y));
wall('forward (training mode)', () => tf.tidy(() => (head.loss(outputsOf(model.apply(x, { training: true }) as tf.Tensor), y) as tf.Scalar).dataSync()));
wall('forward+backward', () => {
  const { value, grads } = tf.variableGrads(() => head.loss(outputsOf(model.apply(x, { training: true }) as tf.Tensor), y), vars);
  value.dataSync();
  tf.dispose([value, ...Object.values(grads)]);
});
const { value, grads } = tf.variableGrads(() => head.loss(outputsOf(model.apply(x, { training: true }) as tf.Tensor), y), vars);
wall('optimiser step', () => {
  optimizer.step(grads);
  (vars[0] as tf.Variable).dataSync();
});
tf.dispose([value, ...Object.values(grads)]);
wall('inference (predict)', () => tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync()));
const folded = foldBatchNorms(model);
wall('inference (BN folded)', () => tf.tidy(() => (folded.predict(x) as tf.Tensor).dataSync()));

async function kernels(name: string, f: () => void): Promise<void> {
  f();
  const t = performance.now();
  const p = await tf.profile(f);
  const total = performance.now() - t;
  const by = new Map<string, { ms: number; n: number }>();
  let sum = 0;
  for (const k of p.kernels) {
    const ms = k.kernelTimeMs as number;
    const key = process.env.BY_SHAPE && /Conv|Pool|BatchNorm/.test(k.name) ? `${k.name} ${k.inputShapes.map((s) => `[${s}]`).join(' ')}` : k.name;
    const e = by.get(key) ?? { ms: 0, n: 0 };
    e.ms += ms;
    e.n++;
    by.set(key, e);
    sum += ms;
  }
  console.log(`\n${name}: ${p.kernels.length} kernels, kernel time ${sum.toFixed(1)} ms, wall under profile ${total.toFixed(1)} ms`);
  for (const [k, e] of [...by].sort((a, b) => b[1].ms - a[1].ms).slice(0, Number(process.env.TOP ?? 25))) {
    console.log(`  ${k.padEnd(28)} ${e.ms.toFixed(1).padStart(8)} ms ${String(e.n).padStart(5)} x  ${(e.ms / e.n).toFixed(2).padStart(7)} ms/call`);
  }
}
await kernels('train step', () => trainStep(model, head, optimizer, x, y));
await kernels('inference', () => tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync()));
await kernels('inference (BN folded)', () => tf.tidy(() => (folded.predict(x) as tf.Tensor).dataSync()));
