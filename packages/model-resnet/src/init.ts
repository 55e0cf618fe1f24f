import { Rng } from '@facemask/contracts';
import { initializers } from '@tensorflow/tfjs-layers';

/**
 * torchvision's initialisation, seeded per layer name so a model's weights do not depend on the
 * order in which layers are built: conv kaiming_normal(fan_out, relu), Linear's default
 * U(-1/sqrt(in), 1/sqrt(in)) for weight and bias. tfjs' "normal" variance scaling is a truncated
 * normal; the difference does not matter for training from scratch.
 */
export class Init {
  constructor(private readonly seed: number) {}

  private layerSeed(layer: string, what: string): number {
    return Rng.derive(this.seed, 'init', layer, what).seed();
  }

  conv(layer: string) {
    return initializers.varianceScaling({ scale: 2, mode: 'fanOut', distribution: 'normal', seed: this.layerSeed(layer, 'kernel') });
  }

  denseKernel(layer: string) {
    return initializers.varianceScaling({ scale: 1 / 3, mode: 'fanIn', distribution: 'uniform', seed: this.layerSeed(layer, 'kernel') });
  }

  denseBias(layer: string, fanIn: number) {
    const bound = 1 / Math.sqrt(fanIn);
    return initializers.randomUniform({ minval: -bound, maxval: bound, seed: this.layerSeed(layer, 'bias') });
  }

  /** For dropout layers. */
  dropoutSeed(layer: string): number {
    return this.layerSeed(layer, 'dropout');
  }
}
