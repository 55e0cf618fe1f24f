import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
const require = createRequire(import.meta.url);
wasm.setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + '/');
await tf.setBackend('wasm'); await tf.setBackend('cpu');
function both(f: () => tf.Tensor) { const r: Float32Array[] = []; for (const b of ['cpu','wasm']) { tf.setBackend(b); const t = f(); r.push(t.dataSync().slice() as Float32Array); t.dispose(); } let md=0; for (let i=0;i<r[0]!.length;i++) md=Math.max(md,Math.abs(r[0]![i]!-r[1]![i]!)); return md; }
const cfgs: Array<[number[], number, number, 'same'|'valid']> = [];
for (const N of [1,2]) for (const C of [1,3]) for (const H of [4,5,8,9]) for (const [k,s] of [[3,2],[2,2],[3,1]]) for (const p of ['same','valid'] as const) cfgs.push([[N,H,H+1,C],k,s,p]);
const bad: string[] = [];
for (const [shape,k,s,pad] of cfgs) {
  const x = tf.randomNormal(shape, 0, 1, 'float32', 1); const xd = x.dataSync().slice();
  const y = tf.maxPool(x as tf.Tensor4D, k, s, pad); const dyd = tf.randomNormal(y.shape, 0, 1, 'float32', 2).dataSync().slice();
  const fwd = both(() => tf.maxPool(tf.tensor(xd, shape) as tf.Tensor4D, k, s, pad));
  const grad = both(() => tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(xx as tf.Tensor4D, k, s, pad), tf.tensor(dyd, y.shape))))(tf.tensor(xd, shape)));
  const am = both(() => { const r = tf.maxPoolWithArgmax(tf.tensor(xd, shape) as tf.Tensor4D, k, s, pad as any, true); r.result.dispose(); return r.indexes; });
  const line = `${shape} k${k} s${s} ${pad} fwd ${fwd} grad ${grad.toFixed(3)} argmax ${am}`;
  if (fwd || grad > 1e-5 || am) bad.push(line);
}
console.log(cfgs.length, 'configs;', bad.length, 'bad'); console.log(bad.join('\n'));
tf.setBackend('wasm');
const sc = tf.scatterND(tf.tensor2d([[1],[1],[3]], [3,1], 'int32'), tf.tensor1d([1,2,3]), [5]); console.log('scatter dup', sc.dataSync());
