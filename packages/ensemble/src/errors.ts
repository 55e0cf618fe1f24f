/** A problem with the predictions handed to the ensemble: the message says which member and how to fix it. */
export class EnsembleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnsembleError';
  }
}
