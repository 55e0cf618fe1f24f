/**
 * Layer class names by kind, stock tfjs-layers and this package's own (custom-layers.ts), for
 * code that walks a model's layers: the state_dict mapping and the parameter counts.
 */
export const BN_CLASSES: ReadonlySet<string> = new Set(['TorchBatchNorm', 'BatchNormalization']);
export const CONV_CLASSES: ReadonlySet<string> = new Set(['Conv2D', 'TorchConv2D']);
