/**
 * Soft targets: hard class ids become one-hot rows; MixUp/CutMix blend rows by the share of the
 * pixels each photo contributes, so every row still sums to 1.
 */

export type LabelInput = ArrayLike<number> | readonly ArrayLike<number>[];

/** Class ids (length n), flat soft rows (length n*numClasses) or an array of n rows. */
export function softTargets(labels: LabelInput, n: number, numClasses: number): Float32Array {
  const out = new Float32Array(n * numClasses);
  const rows = labels as readonly ArrayLike<number>[];
  if (labels.length === n && n > 0 && typeof rows[0] === 'object') {
    rows.forEach((row, i) => {
      if (row.length !== numClasses) throw new RangeError(`labels[${i}] has ${row.length} values, expected ${numClasses} classes`);
      for (let c = 0; c < numClasses; c++) out[i * numClasses + c] = row[c]!;
    });
    return out;
  }
  const flat = labels as ArrayLike<number>;
  if (flat.length === n) {
    for (let i = 0; i < n; i++) {
      const c = flat[i]!;
      if (!Number.isInteger(c) || c < 0 || c >= numClasses) {
        throw new RangeError(`labels[${i}] = ${c} is not a class id in [0, ${numClasses})`);
      }
      out[i * numClasses + c] = 1;
    }
    return out;
  }
  if (flat.length === n * numClasses) {
    for (let i = 0; i < out.length; i++) out[i] = flat[i]!;
    return out;
  }
  throw new RangeError(
    `labels: got ${flat.length} values for ${n} photos; pass ${n} class ids or ${n}x${numClasses} soft targets`,
  );
}

/** y[i] = (1 - share) * y[i] + share * y[perm[i]], computed into a new array. */
export function mixTargets(y: Float32Array, numClasses: number, perm: readonly number[], share: number): Float32Array {
  const out = new Float32Array(y.length);
  for (let i = 0; i < perm.length; i++) {
    const j = perm[i]!;
    for (let c = 0; c < numClasses; c++) {
      out[i * numClasses + c] = (1 - share) * y[i * numClasses + c]! + share * y[j * numClasses + c]!;
    }
  }
  return out;
}
