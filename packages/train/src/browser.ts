/**
 * The browser-safe part of train (`@facemask/train/browser`): how a fold turns evaluation views into
 * class probabilities (evalBatch), which an exported model repeats in predict and the kiosk page.
 */
export { evalBatch, outputsOf } from './step.ts';
