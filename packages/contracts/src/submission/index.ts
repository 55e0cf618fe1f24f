/*
 * The submission file (`ImageID,ans`) as every reader sees it: the submit stage writes it, the
 * report and the pipeline score it. Here, not in the submit stage, so that no stage imports
 * another.
 */
export * from './errors.ts';
export * from './answers.ts';
export * from './score.ts';
