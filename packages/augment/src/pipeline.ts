import { centerCropU8 } from './crop.ts';
import { resizeShorterEdge, resizeU8 } from './resize.ts';

/**
 * The deterministic part of a torchvision transform list on PIL images: CenterCrop then Resize,
 * each optional, in uint8 so the result equals the PIL image torchvision would hand to ToTensor.
 */

/** An int is torchvision's single size (square crop / shorter edge); a pair is (height, width). */
export type SizeArg = number | readonly [number, number];

export interface U8Image {
  data: Uint8Array;
  height: number;
  width: number;
  channels: number;
}

export type DeterministicOp = { op: 'centerCrop'; size: SizeArg } | { op: 'resize'; size: SizeArg };

export function applyDeterministic(img: U8Image, ops: readonly DeterministicOp[]): U8Image {
  let { data, height, width } = img;
  const { channels } = img;
  for (const o of ops) {
    if (o.op === 'centerCrop') {
      const [ch, cw] = typeof o.size === 'number' ? [o.size, o.size] : o.size;
      data = centerCropU8(data, height, width, channels, ch, cw);
      height = ch;
      width = cw;
    } else {
      const [rh, rw] = typeof o.size === 'number' ? resizeShorterEdge(height, width, o.size) : o.size;
      data = resizeU8(data, height, width, channels, rh, rw);
      height = rh;
      width = rw;
    }
  }
  return { data, height, width, channels };
}

/** The preprocess stage's cache transform: optional CenterCrop(centerCrop), then Resize((height, width)). */
export function centerCropResizeU8(
  img: U8Image,
  opts: { centerCrop: number | null; height: number; width: number },
): U8Image {
  const ops: DeterministicOp[] = [];
  if (opts.centerCrop !== null) ops.push({ op: 'centerCrop', size: opts.centerCrop });
  ops.push({ op: 'resize', size: [opts.height, opts.width] });
  return applyDeterministic(img, ops);
}
