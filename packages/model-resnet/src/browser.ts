/**
 * The browser-safe part of model-resnet (`@facemask/model-resnet/browser`): the custom layers (so a
 * saved model loads in a page) and the heads' class probabilities. Importing it registers the layers.
 */
export * from './custom-layers.ts';
export * from './age-head.ts';
export * from './age-distribution.ts';
export { classProbs, combineMultiHead, multiHeadProbs, MULTI_HEADS, type HeadKind } from './heads.ts';
