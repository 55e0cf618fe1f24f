/**
 * Learning-rate schedules stepped once per epoch, as pure functions: lrAt(e) is the lr used during
 * epoch e (0-based), i.e. torch's optimizer lr after e calls of scheduler.step().
 */
export type LrSchedule = (epoch: number) => number;

function checkEpoch(epoch: number): void {
  if (!Number.isInteger(epoch) || epoch < 0) throw new Error(`epoch must be an integer >= 0, got ${epoch}`);
}

export function constantLR(baseLr: number): LrSchedule {
  return (epoch) => {
    checkEpoch(epoch);
    return baseLr;
  };
}

/** torch StepLR: baseLr * gamma^floor(e / stepSize). */
export function stepLR(baseLr: number, stepSize: number, gamma: number): LrSchedule {
  if (!Number.isInteger(stepSize) || stepSize < 1) throw new Error(`StepLR step size must be an integer >= 1, got ${stepSize}`);
  return (epoch) => {
    checkEpoch(epoch);
    return baseLr * gamma ** Math.floor(epoch / stepSize);
  };
}

/**
 * torch CosineAnnealingLR in closed form: etaMin + (baseLr - etaMin)(1 + cos(pi e / tMax)) / 2.
 * Past tMax it rises again, as torch's recursive form does; the two agree to ~1e-14 relative.
 */
export function cosineAnnealingLR(baseLr: number, tMax: number, etaMin = 0): LrSchedule {
  if (!(tMax > 0)) throw new Error(`CosineAnnealingLR T_max must be > 0, got ${tMax}`);
  return (epoch) => {
    checkEpoch(epoch);
    return etaMin + ((baseLr - etaMin) * (1 + Math.cos((Math.PI * epoch) / tMax))) / 2;
  };
}

/**
 * Linear warm-up for `warmupEpochs` epochs, then `after` restarted at its epoch 0: epoch k < W
 * runs at after(0) * (k+1)/(W+1). In torch terms SequentialLR([LinearLR(start_factor=1/(W+1),
 * total_iters=W), after], milestones=[W]).
 */
export function withWarmup(after: LrSchedule, warmupEpochs: number): LrSchedule {
  if (!Number.isInteger(warmupEpochs) || warmupEpochs < 0) throw new Error(`warm-up epochs must be an integer >= 0, got ${warmupEpochs}`);
  if (warmupEpochs === 0) return after;
  return (epoch) => {
    checkEpoch(epoch);
    if (epoch < warmupEpochs) return (after(0) * (epoch + 1)) / (warmupEpochs + 1);
    return after(epoch - warmupEpochs);
  };
}
