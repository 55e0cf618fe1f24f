import * as tf from '@tensorflow/tfjs-core';
import { selectBackend } from '@facemask/core';
import { createModel } from '@facemask/model-resnet';
import { SGD } from './optim/index.ts';
await selectBackend({ prefer: 'wasm' });
const m = await createModel('resnet18', { inputHeight: 32, inputWidth: 32, widthMultiplier: 0.25, seed: 1 });
const bn = m.layers.find((l) => l.name.includes('bn1'))!;
console.log(bn.name, bn.getClassName());
const mm = () => Array.from(bn.getWeights()[2]!.dataSync()).slice(0, 3);
console.log('before', mm());
const x = tf.randomNormal([8, 32, 32, 3], 1, 2);
const vars = m.trainableWeights.map((w) => w.read() as tf.Variable);
const opt = new SGD(vars, { lr: 0.01, momentum: 0.9 });
for (let i = 0; i < 3; i++) {
  const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(m.apply(x, { training: true }) as tf.Tensor)) as tf.Scalar, vars);
  opt.step(grads); tf.dispose(grads); value.dispose();
  console.log('after step', i, mm());
}
m.apply(x, { training: true });
console.log('after plain apply training', mm());
