/**
 * The OpenAPI 3 description of the monitor's HTTP API, written by hand to match the controllers
 * in this folder (a test checks that every route is listed and every path answers).
 */
const nullable = (type: string, extra: Record<string, unknown> = {}) => ({
  type: [type, 'null'],
  ...extra,
});
const dateTime = { type: 'string', format: 'date-time' };
const indicator = (properties: Record<string, unknown>) => ({
  type: 'object',
  properties: { status: { type: 'string', enum: ['up', 'down'] }, ...properties },
});

const healthChecks = {
  poll: indicator({
    lastTurnMsAgo: { type: 'integer', description: 'Since the poll loop last finished a turn' },
    limitMs: { type: 'integer', description: 'Liveness fails beyond this' },
  }),
  lifecycle: indicator({ state: { type: 'string', enum: ['running', 'shutting down'] } }),
  database: indicator({ type: { type: 'string' }, message: { type: 'string' } }),
  lock: indicator({
    enabled: { type: 'boolean' },
    connection: { $ref: '#/components/schemas/BrokerConnection' },
    lastError: { type: 'string' },
  }),
  token: indicator({
    used: { type: 'boolean', description: 'False unless RabbitMQ.AuthMode is OAuth' },
    validUntil: dateTime,
    secondsToExpiry: { type: 'integer' },
    lastError: { type: 'string' },
  }),
  locks: indicator({
    held: { type: 'array', items: { type: 'object' } },
    running: { type: 'array', items: { type: 'object' } },
  }),
};

const healthResult = {
  type: 'object',
  description: 'Terminus health check result; `details` holds every check, up or down.',
  required: ['status', 'details'],
  properties: {
    status: { type: 'string', enum: ['ok', 'error', 'shutting_down'] },
    info: { type: 'object', additionalProperties: true },
    error: { type: 'object', additionalProperties: true },
    details: { type: 'object', properties: healthChecks, additionalProperties: true },
  },
};

const heldLock = {
  type: 'object',
  required: ['environment', 'queue', 'acquiredAt'],
  properties: {
    environment: { type: 'string' },
    queue: { type: 'string', description: 'The lock queue, `dorc.lock.env:<environment>`' },
    acquiredAt: dateTime,
    requestId: nullable('integer', { description: 'The request running under this lock' }),
    epoch: nullable('integer', { description: 'Fencing epoch of that run' }),
    leaseExpiresAt: nullable('string', { format: 'date-time', description: 'Database clock' }),
    leaseExpiresInMs: nullable('integer'),
  },
};

const replicaLocks = {
  type: 'object',
  required: ['monitorId', 'highAvailability', 'broker', 'locks'],
  properties: {
    monitorId: { type: 'string' },
    highAvailability: { type: 'boolean' },
    broker: {
      type: 'object',
      properties: {
        connection: { $ref: '#/components/schemas/BrokerConnection' },
        lastError: { type: 'string' },
      },
    },
    token: {
      description: 'OAuth token state, never the token; null without OAuth',
      oneOf: [
        { type: 'null' },
        {
          type: 'object',
          properties: {
            valid: { type: 'boolean' },
            validUntil: nullable('string', { format: 'date-time' }),
            lastRefreshAt: nullable('string', { format: 'date-time' }),
            lastError: nullable('string'),
          },
        },
      ],
    },
    locks: { type: 'array', items: { $ref: '#/components/schemas/HeldLock' } },
  },
};

const clusterLocks = {
  type: 'object',
  required: ['monitors', 'environments', 'pending'],
  properties: {
    monitors: {
      type: 'array',
      description: 'Replicas seen polling recently',
      items: {
        type: 'object',
        properties: { monitorId: { type: 'string' }, lastSeenMsAgo: { type: 'integer' } },
      },
    },
    environments: {
      type: 'array',
      description: 'Every environment with a claimed request, and who owns it',
      items: {
        type: 'object',
        properties: {
          environment: { type: 'string' },
          requestId: { type: 'integer' },
          status: { type: 'string', enum: ['Requesting', 'Running', 'Cancelling'] },
          ownerId: nullable('string', { description: 'MonitorId of the owning replica' }),
          epoch: nullable('integer'),
          leaseExpiresInMs: nullable('integer'),
          fenceEpoch: nullable('integer'),
        },
      },
    },
    pending: { type: 'integer', description: 'Requests waiting to start' },
  },
};

const json = (ref: string) => ({ 'application/json': { schema: { $ref: ref } } });
const health = (summary: string, description: string) => ({
  get: {
    summary,
    description,
    responses: {
      200: { description: 'Every check is up', content: json('#/components/schemas/Health') },
      503: { description: 'A check is down', content: json('#/components/schemas/Health') },
    },
  },
});
const getJson = (summary: string, ref: string) => ({
  get: { summary, responses: { 200: { description: 'OK', content: json(ref) } } },
});

export const OPENAPI_DOCUMENT = {
  openapi: '3.1.0',
  info: {
    title: 'dorc-monitor',
    version: '0.1.0',
    description: 'Health probes, lock status and metrics of one DOrc monitor replica.',
  },
  paths: {
    '/health/live': health(
      'Liveness',
      'Fails only when the poll loop has stalled; never depends on the database or the broker.',
    ),
    '/health/ready': health(
      'Readiness',
      'Database reachable, not shutting down and, with HA, the lock connection up and a valid ' +
        'OAuth token that is not overdue for renewal.',
    ),
    '/health': health('Every check, including the locks held', 'Liveness and readiness together.'),
    '/locks': getJson('This replica and the locks it holds', '#/components/schemas/ReplicaLocks'),
    '/locks/cluster': getJson(
      'Work in progress across all replicas, from the database',
      '#/components/schemas/ClusterLocks',
    ),
    '/metrics': {
      get: {
        summary: 'Prometheus metrics (`dorc_monitor_*`)',
        responses: {
          200: { description: 'Text exposition format', content: { 'text/plain': {} } },
        },
      },
    },
    '/openapi.json': {
      get: {
        summary: 'This description',
        responses: { 200: { description: 'OpenAPI 3', content: { 'application/json': {} } } },
      },
    },
    '/docs': {
      get: {
        summary: 'A page linking this description',
        responses: { 200: { description: 'HTML', content: { 'text/html': {} } } },
      },
    },
  },
  components: {
    schemas: {
      Health: healthResult,
      BrokerConnection: {
        type: 'string',
        enum: ['disabled', 'connecting', 'connected', 'disconnected'],
      },
      HeldLock: heldLock,
      ReplicaLocks: replicaLocks,
      ClusterLocks: clusterLocks,
    },
  },
} as const;
