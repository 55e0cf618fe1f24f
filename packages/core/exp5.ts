import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import * as wasm from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
const require = createRequire(import.meta.url);
wasm.setWasmPaths(dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + '/');
await tf.setBackend('wasm'); await tf.setBackend('cpu');
function ref(x: Float32Array, [N,H,W,C]: number[], dy: Float32Array, k: number, s: number, pad: 'same'|'valid') {
  const info = tf.backend_util.computePool2DInfo([N,H,W,C], k, s, 1, pad);
  const dx = new Float32Array(x.length); const {top, left} = info.padInfo;
  for (let n=0;n<N;n++) for (let i=0;i<info.outHeight;i++) for (let j=0;j<info.outWidth;j++) for (let c=0;c<C;c++) {
    let best=-Infinity, bi=-1;
    for (let a=0;a<k;a++) for (let b=0;b<k;b++) { const h=i*s+a-top, w=j*s+b-left; if (h<0||h>=H||w<0||w>=W) continue; const idx=((n*H+h)*W+w)*C+c; if (x[idx]!>best){best=x[idx]!;bi=idx;} }
    dx[bi]! += dy[((n*info.outHeight+i)*info.outWidth+j)*C+c]!; dx[bi] = dx[bi]!;
  }
  return dx;
}
for (const [shape,k,s,pad] of [[[2,8,8,3],3,2,'same'],[[2,9,9,3],2,2,'valid'],[[1,4,4,1],3,2,'same']] as const) {
  const x = tf.randomNormal([...shape], 0, 1, 'float32', 1); const xd = x.dataSync();
  const y = tf.maxPool(x as tf.Tensor4D, k, s, pad); const dy = tf.randomNormal(y.shape, 0, 1, 'float32', 2); const dyd = dy.dataSync();
  const r = ref(xd as Float32Array, [...shape], dyd as Float32Array, k, s, pad);
  for (const b of ['cpu','wasm']) { tf.setBackend(b); const g = tf.grad((xx: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(xx as tf.Tensor4D, k, s, pad), tf.tensor(dyd, y.shape))))(tf.tensor(xd, [...shape])).dataSync();
    let md=0; for (let i=0;i<g.length;i++) md=Math.max(md,Math.abs(g[i]!-r[i]!)); console.log(shape, k, s, pad, b, 'vs ref', md); }
  tf.setBackend('cpu');
}
