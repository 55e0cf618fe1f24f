import type { z } from 'zod';

/**
 * Every artifact has one zod schema, exported by the package that writes it; readers validate.
 * An artifact file carries its kind and schema version so a reader can say what it found.
 * (No Node module here: schemas a browser page reads import this, not artifact.ts.)
 */
export interface ArtifactSpec<S extends z.ZodType> {
  /** e.g. "preprocess/samples" */
  kind: string;
  version: number;
  schema: S;
  /** The Nx target that writes it, named in errors when it is missing. */
  producedBy: string;
}

export function defineArtifact<S extends z.ZodType>(spec: ArtifactSpec<S>): ArtifactSpec<S> {
  return spec;
}
