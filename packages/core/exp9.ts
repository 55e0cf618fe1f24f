import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { maxPoolGradConfig } from './src/wasm-kernels/max-pool-grad.ts';
const require = createRequire(import.meta.url);
wasm.setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + '/');
await tf.setBackend('wasm'); await tf.setBackend('cpu');
tf.unregisterKernel('MaxPoolGrad', 'wasm'); tf.registerKernel(maxPoolGradConfig);
function both(f: () => tf.Tensor) { const r: Float32Array[] = []; for (const b of ['cpu','wasm']) { tf.setBackend(b); const t = f(); r.push(t.dataSync().slice() as Float32Array); t.dispose(); } let md=0; for (let i=0;i<r[0]!.length;i++) md=Math.max(md,Math.abs(r[0]![i]!-r[1]![i]!)); return md; }
const bad: string[] = []; let n = 0;
for (const N of [1,2]) for (const C of [1,3]) for (const H of [4,5,8,9]) for (const [k,s] of [[3,2],[2,2],[3,1],[1,1],[3,3]]) for (const p of ['same','valid', 1] as const) for (const q of [false, true]) {
  const shape = [N,H,H+1,C]; n++;
  let x = tf.randomNormal(shape, 0, 1, 'float32', 1); if (q) x = tf.relu(tf.round(x)); const xd = x.dataSync().slice();
  const y = tf.maxPool(x as tf.Tensor4D, k, s, p); const dyd = tf.randomNormal(y.shape, 0, 1, 'float32', 2).dataSync().slice();
  const grad = both(() => tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(xx as tf.Tensor4D, k, s, p), tf.tensor(dyd, y.shape))))(tf.tensor(xd, shape)));
  if (grad > 1e-6) bad.push(`${shape} k${k} s${s} ${p} ties=${q} grad ${grad.toFixed(3)}`);
}
console.log(n, 'configs;', bad.length, 'bad'); console.log(bad.join('\n'));
tf.setBackend('wasm');
const x = tf.relu(tf.randomNormal([4,112,112,64])) as tf.Tensor4D; const y = tf.maxPool(x, 3, 2, "same"); const dy = tf.randomNormal(y.shape);
for (let r = 0; r < 2; r++) { const prof = await tf.profile(() => { const g = tf.engine().runKernel("MaxPoolGrad", { dy, input: x, output: y }, { filterSize: 3, strides: 2, pad: "same" }) as tf.Tensor; g.dataSync(); g.dispose(); }); const agg = new Map<string, number>(); for (const k of prof.kernels) agg.set(k.name, (agg.get(k.name) ?? 0) + (k.kernelTimeMs as number)); console.log([...agg].sort((a,b)=>b[1]-a[1]).map(([k,v])=>`${k} ${v.toFixed(0)}`).join(" | ")); }
const before = tf.memory().numTensors;
for (const impl of ['ours']) { const run = () => { const g = tf.engine().runKernel('MaxPoolGrad', { dy, input: x, output: y }, { filterSize: 3, strides: 2, pad: 'same' }) as tf.Tensor; g.dataSync(); g.dispose(); };
  run(); const t = performance.now(); for (let i=0;i<3;i++) run(); console.log(impl, 'maxPoolGrad 4x112x112x64 ms', ((performance.now()-t)/3).toFixed(0)); }
console.log('leak', tf.memory().numTensors - before);
const t = performance.now(); for (let i=0;i<3;i++) { const g = tf.maxPool(x, 3, 2, 'same'); g.dataSync(); g.dispose(); } console.log('fwd ms', ((performance.now()-t)/3).toFixed(0));
