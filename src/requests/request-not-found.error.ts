export class RequestNotFoundError extends Error {
  constructor(readonly requestId: number) {
    super(`Request ${requestId} does not exist`);
    this.name = 'RequestNotFoundError';
  }
}
