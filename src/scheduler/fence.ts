/**
 * A replica's right to write in one environment: valid while the epoch in the database is this one.
 */
export interface Fence {
  readonly environment: string;
  readonly epoch: number;
  readonly ownerId: string;
}

/** Thrown when a conditional write found that the environment's epoch or owner has moved on. */
export class FencedError extends Error {
  constructor(
    readonly environment: string,
    readonly requestId: number,
    readonly step: string,
  ) {
    super(
      `request ${requestId} in environment '${environment}' was fenced at '${step}': ` +
        'another monitor has taken the environment',
    );
    this.name = 'FencedError';
  }
}
