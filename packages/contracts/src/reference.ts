import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * The PyTorch ground-truth fixtures (../shared/reference by default, REFERENCE_DIR to override).
 * Parity tests iterate over the manifest's cases of their kind, so other fixture sets with the same
 * schema (other architectures, sizes, seeds) run unchanged.
 */

const tolerance = z.record(z.string(), z.union([z.number(), z.boolean()]));

export const manifestSchema = z.object({
  schema_version: z.number(),
  cases: z.array(
    z.object({
      id: z.string(),
      kind: z.string(),
      files: z.record(z.string(), z.string()),
      select: z
        .object({
          json_path: z.array(z.string()).optional(),
          tensor_names: z.record(z.string(), z.string()).optional(),
        })
        .optional(),
      params: z.record(z.string(), z.unknown()).default({}),
      tolerances: z.record(z.string(), z.union([tolerance, z.unknown()])).default({}),
      info: z.unknown().optional(),
    }),
  ),
});
export type ReferenceManifest = z.infer<typeof manifestSchema>;
export type ReferenceCase = ReferenceManifest['cases'][number];

const workspaceRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export function referenceDir(): string {
  return resolve(workspaceRoot, process.env.REFERENCE_DIR ?? '../shared/reference');
}

export function loadManifest(dir = referenceDir()): ReferenceManifest {
  const path = resolve(dir, 'manifest.json');
  if (!existsSync(path)) {
    throw new Error(`no reference manifest at ${path}: set REFERENCE_DIR to the fixture folder (default ../shared/reference)`);
  }
  return manifestSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
}

export function referenceCases(kind: string, dir = referenceDir()): ReferenceCase[] {
  return loadManifest(dir).cases.filter((c) => c.kind === kind);
}

/** Follows a case's select.json_path into a JSON file of the fixture folder. */
export function selectJson(c: ReferenceCase, role = 'data', dir = referenceDir()): unknown {
  const file = c.files[role];
  if (!file) throw new Error(`case ${c.id} has no file for role ${role}`);
  let node: unknown = JSON.parse(readFileSync(resolve(dir, file), 'utf8'));
  for (const key of c.select?.json_path ?? []) node = (node as Record<string, unknown>)[key];
  return node;
}

export interface ToleranceCheck {
  ok: boolean;
  message: string;
}

/**
 * Checks candidate against reference under a manifest tolerance object (max_abs, mean_abs,
 * max_abs_rel_to_ref_max, atol+rtol, exact). All listed criteria must hold.
 */
export function checkTolerance(
  candidate: ArrayLike<number>,
  reference: ArrayLike<number>,
  tol: Record<string, unknown>,
): ToleranceCheck {
  if (candidate.length !== reference.length) {
    return { ok: false, message: `length ${candidate.length} != reference ${reference.length}` };
  }
  let maxAbs = 0;
  let sumAbs = 0;
  let refMax = 0;
  let worstElem = 0;
  const atol = typeof tol.atol === 'number' ? tol.atol : undefined;
  const rtol = typeof tol.rtol === 'number' ? tol.rtol : undefined;
  let exactMismatch = 0;
  for (let i = 0; i < candidate.length; i++) {
    const a = candidate[i] as number;
    const b = reference[i] as number;
    const d = Math.abs(a - b);
    if (!(d <= maxAbs) ) maxAbs = Number.isNaN(d) ? Infinity : Math.max(maxAbs, d);
    sumAbs += d;
    refMax = Math.max(refMax, Math.abs(b));
    if (atol !== undefined || rtol !== undefined) {
      const excess = d - ((atol ?? 0) + (rtol ?? 0) * Math.abs(b));
      if (!(excess <= worstElem)) worstElem = Number.isNaN(excess) ? Infinity : excess;
    }
    if (a !== b) exactMismatch++;
  }
  const fails: string[] = [];
  const meanAbs = candidate.length ? sumAbs / candidate.length : 0;
  if (typeof tol.max_abs === 'number' && !(maxAbs <= tol.max_abs)) fails.push(`max_abs ${maxAbs} > ${tol.max_abs}`);
  if (typeof tol.mean_abs === 'number' && !(meanAbs <= tol.mean_abs)) fails.push(`mean_abs ${meanAbs} > ${tol.mean_abs}`);
  if (typeof tol.max_abs_rel_to_ref_max === 'number' && !(maxAbs <= tol.max_abs_rel_to_ref_max * refMax)) {
    fails.push(`max_abs ${maxAbs} > ${tol.max_abs_rel_to_ref_max} * ref max ${refMax}`);
  }
  if ((atol !== undefined || rtol !== undefined) && worstElem > 0) fails.push(`atol/rtol exceeded by ${worstElem}`);
  if (tol.exact === true && exactMismatch > 0) fails.push(`${exactMismatch} elements differ (exact)`);
  return {
    ok: fails.length === 0,
    message: fails.length ? fails.join('; ') : `max_abs ${maxAbs}, mean_abs ${meanAbs}`,
  };
}
