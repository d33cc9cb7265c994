/** A request that cannot be created; the message names everything unknown. Nothing was written. */
export class SubmitError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'SubmitError';
  }
}
