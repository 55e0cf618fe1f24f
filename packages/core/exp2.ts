import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { conv2dBackpropFilterConfig } from './src/wasm-kernels/conv2d-backprop-filter.ts';
tf.registerKernel(conv2dBackpropFilterConfig);
const require = createRequire(import.meta.url);
wasm.setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + '/');
await tf.setBackend(process.argv[2] ?? 'wasm');

function build() {
  const inp = tfl.input({ shape: [32, 32, 3] });
  let x = tfl.layers.zeroPadding2d({ padding: 3 }).apply(inp);
  x = tfl.layers.conv2d({ filters: 8, kernelSize: 7, strides: 2, padding: 'valid', useBias: false }).apply(x);
  x = tfl.layers.batchNormalization().apply(x);
  x = tfl.layers.reLU().apply(x);
  x = tfl.layers.zeroPadding2d({ padding: 1 }).apply(x);
  x = tfl.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'valid' }).apply(x);
  let y = tfl.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', useBias: false }).apply(x);
  y = tfl.layers.batchNormalization().apply(y);
  y = tfl.layers.activation({activation:'relu'}).apply(y);
  y = tfl.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', useBias: false }).apply(y);
  y = tfl.layers.batchNormalization().apply(y);
  x = tfl.layers.add().apply([x, y]);
  x = tfl.layers.reLU().apply(x);
  let z = tfl.layers.conv2d({ filters: 16, kernelSize: 1, strides: 2, padding: 'valid', useBias: false }).apply(x);
  x = tfl.layers.globalAveragePooling2d({}).apply(z);
  const out = tfl.layers.dense({ units: 18 }).apply(x);
  return tfl.model({ inputs: inp, outputs: out });
}
const m = build();
const xs = tf.randomNormal([4, 32, 32, 3]); const ys = tf.oneHot(tf.tensor1d([0,1,2,3],'int32'), 18);

const seen = new Set();
const eng: any = tf.engine(); const origRKF = eng.runKernelFunc.bind(eng);
eng.runKernelFunc = (p: any) => { seen.add(p.kernelName); return origRKF(p); };
try {
  const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(ys, m.apply(xs, { training: true })));
  console.log('loss', value.dataSync()[0]);
} catch (e) { console.log('ERR', e.message); }
// raw ops path
try {
  const w = tf.variable(tf.mul(tf.randomNormal([3,3,3,8]), 0.1)); const g = tf.variable(tf.ones([8])); const b = tf.variable(tf.zeros([8]));
  const { value } = tf.variableGrads(() => {
    const c = tf.conv2d(tf.pad(xs, [[0,0],[1,1],[1,1],[0,0]]), w, 1, 'valid');
    const { mean, variance } = tf.moments(c, [0,1,2]);
    const n = tf.relu(tf.batchNorm(c, mean, variance, b, g, 1e-5));
    const p = tf.maxPool(n, 3, 2, 'same'); const a = tf.avgPool(p, 2, 2, 'valid');
    const gap = tf.mean(a, [1,2]);
    return tf.losses.softmaxCrossEntropy(tf.slice(ys, [0,0],[4,8]), gap);
  }, [w,g,b]);
  console.log('raw loss', value.dataSync()[0]);
} catch (e) { console.log('ERR raw', e.message); }
const wk = new Set(tf.getKernelsForBackend('wasm').map(k=>k.kernelName));
console.log([...seen].sort().join(' '));
console.log('missing on wasm:', [...seen].filter(k => !wk.has(k)));
