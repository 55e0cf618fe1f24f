import { className, NUM_CLASSES } from '@facemask/contracts';

export interface ClassShare {
  cls: number;
  name: string;
  trainCount: number;
  trainShare: number;
  evalCount: number;
  evalShare: number;
}

/** Counts per class of the training labels and the eval predictions, each as a share of its total. */
export function classShares(trainCounts: readonly number[], evalCounts: readonly number[]): ClassShare[] {
  for (const [what, counts] of [['training', trainCounts], ['eval', evalCounts]] as const) {
    if (counts.length !== NUM_CLASSES) throw new Error(`${what} counts have ${counts.length} entries, expected ${NUM_CLASSES}`);
  }
  const trainTotal = trainCounts.reduce((s, v) => s + v, 0);
  const evalTotal = evalCounts.reduce((s, v) => s + v, 0);
  return Array.from({ length: NUM_CLASSES }, (_, cls) => ({
    cls,
    name: className(cls),
    trainCount: trainCounts[cls]!,
    trainShare: trainTotal === 0 ? 0 : trainCounts[cls]! / trainTotal,
    evalCount: evalCounts[cls]!,
    evalShare: evalTotal === 0 ? 0 : evalCounts[cls]! / evalTotal,
  }));
}

/** Submitted answers (ImageID -> class) as counts per class. */
export function countAnswers(answers: ReadonlyMap<string, number>): number[] {
  const counts = new Array<number>(NUM_CLASSES).fill(0);
  for (const cls of answers.values()) counts[cls]! += 1;
  return counts;
}
