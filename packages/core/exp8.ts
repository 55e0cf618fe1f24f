import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { conv2dBackpropFilterConfig } from './src/wasm-kernels/conv2d-backprop-filter.ts';
const require = createRequire(import.meta.url);
wasm.setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + '/');
tf.registerKernel(conv2dBackpropFilterConfig);
await tf.setBackend('wasm');
for (const [xs, fs, s] of [[[4,56,56,64],[3,3,64,64],1],[[4,112,112,3],[7,7,3,64],2],[[4,14,14,256],[3,3,256,256],1],[[4,28,28,128],[1,1,128,256],2]] as const) {
  for (const b of ['wasm', 'cpu']) {
    await tf.setBackend(b);
    const x = tf.randomNormal([...xs]) as tf.Tensor4D; const w = tf.randomNormal([...fs]) as tf.Tensor4D;
    const y = tf.conv2d(x, w, s, 'same'); const dy = tf.randomNormal(y.shape);
    const run = () => { const g = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: s, pad: 'same', dataFormat: 'NHWC', filterShape: fs }) as tf.Tensor; g.dataSync(); g.dispose(); };
    const fwd = () => { const g = tf.conv2d(x, w, s, 'same'); g.dataSync(); g.dispose(); };
    run(); const reps = b === 'cpu' ? 1 : 3;
    let t = performance.now(); for (let i = 0; i < reps; i++) run(); const tb = (performance.now() - t) / reps;
    t = performance.now(); for (let i = 0; i < reps; i++) fwd(); const tf_ = (performance.now() - t) / reps;
    console.log(b, xs, fs, s, 'backpropFilter ms', tb.toFixed(0), 'conv fwd ms', tf_.toFixed(0), 'rss MB', (process.memoryUsage().rss/1e6).toFixed(0));
    tf.dispose([x, w, y, dy]);
  }
}
