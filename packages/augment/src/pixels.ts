// `@facemask/augment/pixels`: torchvision-exact crops and PIL-exact resizes on uint8 buffers, with no
// tfjs and no Node module, so a browser page (through face-detect's crop) can bundle them.
export { centerCropOffsets, centerCropU8, roundHalfEven, type CropOffsets } from './crop.ts';
export { resizeShorterEdge, resizeU8 } from './resize.ts';
export { cropU8 } from './kernels.ts';
