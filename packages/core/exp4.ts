import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
const require = createRequire(import.meta.url);
wasm.setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + '/');
await tf.setBackend('wasm'); await tf.setBackend('cpu');
function on(b: string, f: () => tf.Tensor) { tf.setBackend(b); const t = f(); const d = t.dataSync().slice(); t.dispose(); return d; }
function cmp(name: string, f: () => tf.Tensor) {
  const a = on('cpu', f), b = on('wasm', f);
  let md = 0, mb = 0; for (let i = 0; i < a.length; i++) { md = Math.max(md, Math.abs(a[i]! - b[i]!)); mb = Math.max(mb, Math.abs(a[i]!)); }
  console.log(name, a.length === b.length, 'maxdiff', md.toExponential(2), 'maxabs', mb.toFixed(2));
}
const seedData = (shape: number[], seed: number, relu = false) => { const t = tf.randomNormal(shape, 0, 1, 'float32', seed); const d = t.dataSync().slice(); t.dispose(); return () => { const x = tf.tensor(d, shape); return relu ? tf.relu(x) : x; }; };
for (const [shape, k, s, pad] of [[[2,9,9,3],3,2,'same'],[[2,8,8,3],3,2,'same'],[[2,8,8,3],3,2,'valid'],[[2,9,9,3],2,2,'valid'],[[1,7,6,4],3,1,'same']] as const) {
  for (const relu of [false, true]) {
    const x = seedData([...shape], 1, relu);
    const y = tf.maxPool(x() as tf.Tensor4D, k, s, pad as any);
    const dy = seedData(y.shape, 2);
    cmp(`maxPoolGrad ${shape} k${k} s${s} ${pad} relu=${relu}`, () => tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(xx as tf.Tensor4D, k, s, pad as any), dy())))(x()));
    cmp(`avgPoolGrad ${shape} k${k} s${s} ${pad}`, () => tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.avgPool(xx as tf.Tensor4D, k, s, pad as any), dy())))(x()));
  }
}
for (const [shape, fs, s, pad] of [[[2,9,9,3],[3,3,3,4],2,'same'],[[2,8,8,3],[3,3,3,4],2,'same'],[[2,10,10,3],[3,3,3,4],2,'valid'],[[2,11,11,3],[7,7,3,4],2,'valid'],[[2,8,8,4],[1,1,4,6],2,'valid'],[[2,8,8,4],[3,3,4,6],1,[[0,0],[1,1],[1,1],[0,0]]]] as const) {
  const x = seedData([...shape], 1); const w = seedData([...fs], 3);
  const y = tf.conv2d(x() as tf.Tensor4D, w() as tf.Tensor4D, s, pad as any);
  const dy = seedData(y.shape, 2);
  cmp(`conv2DBackpropInput ${shape} ${fs} s${s} ${JSON.stringify(pad)}`, () => tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(xx as tf.Tensor4D, w() as tf.Tensor4D, s, pad as any), dy())))(x()));
}
