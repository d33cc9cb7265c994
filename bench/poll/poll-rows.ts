import { buildRequestDetailsXml } from '../../src/requests/request-details';

/** Finished statuses spread over the history, in rough real-world proportion. */
export const FINISHED = ['Completed', 'Completed', 'Completed', 'Failed', 'Cancelled', 'Errored'];
/** Environments the finished history is spread over; the pending ones use the first 20. */
export const HISTORY_ENVIRONMENTS = 200;
export const PENDING_ENVIRONMENTS = 20;

/** Typical RequestDetails of one request, so rows have a realistic width. */
export function sampleDetails(environment: string): string {
  return buildRequestDetailsXml({
    environmentName: environment,
    components: ['Database', 'WebApp'],
    componentsToSkip: [],
    buildDetail: {
      buildId: '4711',
      project: 'Shop',
      buildNumber: '1.2.3',
      dropLocation: '',
      uri: '',
    },
    properties: [{ name: 'Region', value: 'eu-west' }],
  });
}

export const SAMPLE_LOG = 'Deployment finished. '.repeat(4);

export function envName(i: number): string {
  return `Env${String(i % HISTORY_ENVIRONMENTS).padStart(3, '0')}`;
}
