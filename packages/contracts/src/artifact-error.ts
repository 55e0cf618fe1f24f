/** A missing, stale or malformed artifact; the message names the file and the command that remakes it. */
export class ArtifactError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ArtifactError';
  }
}
