import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
const require = createRequire(import.meta.url);
wasm.setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + '/');
await tf.setBackend('wasm'); await tf.setBackend('cpu');
function both(f: () => tf.Tensor) { const r: Float32Array[] = []; for (const b of ['cpu','wasm']) { tf.setBackend(b); const t = f(); r.push(t.dataSync().slice() as Float32Array); t.dispose(); } let md=0, mx=0; for (let i=0;i<r[0]!.length;i++) {md=Math.max(md,Math.abs(r[0]![i]!-r[1]![i]!)); mx=Math.max(mx,Math.abs(r[0]![i]!));} return md/Math.max(mx,1e-6); }
const bad: string[] = []; let n=0;
for (const N of [1,2]) for (const C of [1,3]) for (const H of [5,8,9]) for (const [k,s] of [[3,2],[2,2],[3,1],[1,2],[7,2]]) for (const p of ['same','valid', 1] as const) {
  const W = H + 3; const shape = [N,H,W,C]; n++;
  const xd = tf.randomNormal(shape, 0, 1, 'float32', 1).dataSync().slice();
  if (k <= H && typeof p === 'string') {
    const y = tf.avgPool(tf.tensor(xd, shape) as tf.Tensor4D, k, s, p); const dyd = tf.randomNormal(y.shape, 0, 1, 'float32', 2).dataSync().slice();
    const g = both(() => tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.avgPool(xx as tf.Tensor4D, k, s, p), tf.tensor(dyd, y.shape))))(tf.tensor(xd, shape)));
    if (g > 1e-5) bad.push(`avgPoolGrad ${shape} k${k} s${s} ${p} ${g}`);
  }
  const fs = [k,k,C,4]; const wd = tf.randomNormal(fs, 0, 1, 'float32', 3).dataSync().slice();
  if (k > H + (p === 1 ? 2 : 0) && p === 'valid') continue;
  const pad = p === 1 ? [[0,0],[1,2],[2,1],[0,0]] as any : p;
  const y = tf.conv2d(tf.tensor(xd, shape) as tf.Tensor4D, tf.tensor(wd, fs) as tf.Tensor4D, s, pad); const dyd = tf.randomNormal(y.shape, 0, 1, 'float32', 2).dataSync().slice();
  const g = both(() => tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(xx as tf.Tensor4D, tf.tensor(wd, fs) as tf.Tensor4D, s, pad), tf.tensor(dyd, y.shape))))(tf.tensor(xd, shape)));
  if (g > 1e-5) bad.push(`conv2DBackpropInput ${shape} k${k} s${s} ${JSON.stringify(pad)} ${g}`);
  const f = both(() => tf.conv2d(tf.tensor(xd, shape) as tf.Tensor4D, tf.tensor(wd, fs) as tf.Tensor4D, s, pad));
  if (f > 1e-5) bad.push(`conv2d ${shape} k${k} s${s} ${JSON.stringify(pad)} ${f}`);
}
console.log(n, 'configs;', bad.length, 'bad'); console.log(bad.join('\n'));
