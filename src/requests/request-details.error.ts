/** RequestDetails XML the monitor cannot use; the message says what to fix. */
export class RequestDetailsError extends Error {
  constructor(reason: string) {
    super(`RequestDetails: ${reason}`);
    this.name = 'RequestDetailsError';
  }
}
