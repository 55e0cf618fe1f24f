import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ArtifactError } from './artifact-error.ts';
import type { ArtifactSpec } from './artifact-spec.ts';
import { writeFileAtomic } from './atomic.ts';

export { defineArtifact, type ArtifactSpec } from './artifact-spec.ts';

/**
 * `sha256` digests the data as written (JSON.stringify of it, which parsing and stringifying again
 * reproduces), so an artifact edited or damaged since is refused, not read: a same-length change
 * to a number passes every schema. Files without one (written by hand, by older code) are read.
 */
const envelope = z.object({ kind: z.string(), version: z.number().int(), data: z.unknown(), sha256: z.string().optional() });

const digest = (json: string) => createHash('sha256').update(json).digest('hex');

export { ArtifactError };

export async function writeArtifact<S extends z.ZodType>(
  spec: ArtifactSpec<S>,
  path: string,
  data: z.input<S>,
): Promise<void> {
  const parsed = spec.schema.safeParse(data);
  if (!parsed.success) {
    throw new ArtifactError(`refusing to write ${spec.kind} to ${path}: ${z.prettifyError(parsed.error)}`);
  }
  const json = JSON.stringify(parsed.data);
  const body = `{"kind":${JSON.stringify(spec.kind)},"version":${spec.version},"data":${json},"sha256":"${digest(json)}"}`;
  await writeFileAtomic(path, body + '\n');
}

export async function readArtifact<S extends z.ZodType>(spec: ArtifactSpec<S>, path: string): Promise<z.output<S>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ArtifactError(`${spec.kind} artifact not found at ${path}: run \`nx run ${spec.producedBy}\` first`);
    }
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ArtifactError(`${path} is not valid JSON (expected a ${spec.kind} artifact): rerun \`nx run ${spec.producedBy}\``);
  }
  const env = envelope.safeParse(json);
  if (!env.success) throw new ArtifactError(`${path} is not an artifact file (expected ${spec.kind})`);
  if (env.data.kind !== spec.kind) {
    throw new ArtifactError(`${path} holds a ${env.data.kind} artifact, expected ${spec.kind}`);
  }
  if (env.data.version !== spec.version) {
    throw new ArtifactError(
      `${path} is ${spec.kind} version ${env.data.version}, this code reads version ${spec.version}: rerun \`nx run ${spec.producedBy}\``,
    );
  }
  if (env.data.sha256 !== undefined && digest(JSON.stringify(env.data.data)) !== env.data.sha256) {
    throw new ArtifactError(`${path} (${spec.kind}) changed after it was written (its data no longer matches the sha256 recorded with it): rerun \`nx run ${spec.producedBy}\``);
  }
  const parsed = spec.schema.safeParse(env.data.data);
  if (!parsed.success) {
    throw new ArtifactError(`${path} (${spec.kind}) does not match its schema:\n${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}
