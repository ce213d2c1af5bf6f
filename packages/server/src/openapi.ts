/** An owner's decision on an access request: the same route shape for approve and deny. */
function decisionRoute(options: { summary: string; answer: string }) {
  return {
    post: {
      summary: options.summary,
      parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
      requestBody: {
        content: {
          'application/json': { schema: { type: 'object', properties: { note: { type: 'string' } } } },
        },
      },
      responses: {
        '200': { description: options.answer },
        '403': { description: 'Not an owner or delegate' },
        '409': { description: 'Already decided' },
      },
    },
  } as const;
}

/** The OpenAPI description of the HTTP API, served at /openapi.json. */
export const OPENAPI_DOCUMENT = {
  openapi: '3.1.0',
  info: {
    title: 'Quanta API',
    version: '0.1.0',
    description:
      "Catalog, runs and governed SQL queries over the data products of a Quanta mesh. Every /api route needs `Authorization: Bearer <token>` (create one with `quanta token create <principal>`) or the `quanta_session` cookie of a login (`POST /api/session`); /health, /openapi.json and the login itself are public. CSRF protection: a request authenticated by the cookie alone that is not GET/HEAD/OPTIONS must carry an `Origin` header naming this API's own origin, or it is refused with 403 QUANTA_CSRF_REFUSED.",
  },
  security: [{ bearerToken: [] }, { sessionCookie: [] }],
  paths: {
    '/health': {
      get: {
        security: [],
        summary: 'Liveness and the metadata store in use',
        responses: { '200': { description: 'Healthy' } },
      },
    },
    '/api/catalog': {
      get: {
        summary: 'Every output port with its current snapshot',
        responses: { '200': { description: 'Catalog entries', content: { 'application/json': {} } } },
      },
    },
    '/api/catalog/show': {
      get: {
        summary: 'Describe a domain, product, port, snapshot or column by address',
        parameters: [
          {
            name: 'address',
            in: 'query',
            required: true,
            schema: { type: 'string', example: 'quanta://sales/orders/orders@1' },
          },
        ],
        responses: { '200': { description: 'The asset' }, '404': { description: 'Nothing at that address' } },
      },
    },
    '/api/profile': {
      get: {
        summary: "A snapshot's column profile and the quality report it was published with",
        parameters: [
          {
            name: 'address',
            in: 'query',
            required: true,
            description: 'A port (current snapshot), a snapshot `@version`, or a `#column`',
            schema: { type: 'string', example: 'quanta://sales/orders/orders@1' },
          },
        ],
        responses: {
          '200': {
            description:
              'The profile: count, nulls, distinct, range, quantiles, top values, histogram, patterns',
          },
          '404': { description: 'No profiled snapshot at that address' },
        },
      },
    },
    '/api/health': {
      get: {
        summary:
          'Trust summary per port: SLO compliance over 30 days (freshness, quality, completeness), last quality result, freshness now, open incidents',
        parameters: [
          {
            name: 'address',
            in: 'query',
            required: false,
            description: 'Only the ports under this domain, product or port',
            schema: { type: 'string', example: 'quanta://sales/orders' },
          },
        ],
        responses: {
          '200': { description: '`{ ports: PortHealth[] }`, one summary per deployed port' },
          '404': { description: 'No deployed port under that address' },
        },
      },
    },
    '/api/health/ports/{address}': {
      get: {
        summary: "One port's trust summary",
        parameters: [
          {
            name: 'address',
            in: 'path',
            required: true,
            description: 'The port address, URL-encoded',
            schema: { type: 'string', example: 'quanta%3A%2F%2Fsales%2Forders%2Forders' },
          },
        ],
        responses: {
          '200': { description: 'The PortHealth of the port' },
          '404': { description: 'No deployed port at that address' },
        },
      },
    },
    '/api/query': {
      post: {
        summary: 'Run one read-only SELECT over published ports and quanta_catalog',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: { type: 'object', required: ['sql'], properties: { sql: { type: 'string' } } },
            },
          },
        },
        responses: {
          '200': {
            description:
              'The rows, streamed chunk by chunk as DuckDB produces them: JSON `{columns, reads, rows, rowCount, durationMs}`, CSV, or an Arrow IPC stream (one record batch per chunk), by the Accept header. Numbers are exact: in JSON a DECIMAL is a string holding its exact text with its scale (`"12345678901234567.89"`, `"12.50"`), an integer beyond 2^53 (BIGINT, HUGEINT, UBIGINT) a string of its digits, smaller integers and floating-point values JSON numbers; CSV carries the same exact text; Arrow types DECIMAL(p,s) as Decimal128(p,s), BIGINT as Int64, UBIGINT as Uint64, HUGEINT as Decimal128(38,0). An error after the first row cuts the body short (the status is already sent).',
            content: {
              'application/json': {},
              'text/csv': {},
              'application/vnd.apache.arrow.stream': {},
            },
          },
          '401': { description: 'No valid token' },
          '400': { description: 'Invalid SQL' },
          '403': { description: 'Statement not allowed' },
        },
      },
    },
    '/api/access/requests': {
      get: {
        summary:
          "Access requests the caller may see: its own, its domains' (owner or delegate), all for administrators",
        parameters: [
          { name: 'state', in: 'query', schema: { type: 'string', enum: ['pending', 'approved', 'denied'] } },
          {
            name: 'address',
            in: 'query',
            description: 'A port address or prefix',
            schema: { type: 'string' },
          },
        ],
        responses: {
          '200': { description: 'Requests, newest first' },
          '401': { description: 'No valid token' },
        },
      },
      post: {
        summary: 'Request access to a port, with a purpose and a duration',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['address', 'purpose'],
                properties: {
                  address: { type: 'string', example: 'quanta://customers/crm-customers/customers' },
                  purpose: { type: 'string' },
                  duration: { type: 'string', example: '30d', default: '30d' },
                },
              },
            },
          },
        },
        responses: { '201': { description: 'The pending request' }, '404': { description: 'No such port' } },
      },
    },
    '/api/access/requests/{id}/approve': decisionRoute({
      summary: "Approve a pending request (the domain's owner or a delegate): records a grant that expires",
      answer: 'The request and its grant',
    }),
    '/api/access/requests/{id}/deny': decisionRoute({
      summary: "Deny a pending request (the domain's owner or a delegate)",
      answer: 'The denied request',
    }),
    '/api/session': {
      post: {
        security: [],
        summary:
          'Log in with a token: sets an HttpOnly, SameSite=Strict, Path=/ cookie `quanta_session` (Secure over https) holding a random session id, never the token. The session ends at the earlier of the token expiry and 12 hours, or when the token is revoked',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: { type: 'object', required: ['token'], properties: { token: { type: 'string' } } },
            },
          },
        },
        responses: {
          '201': {
            description: '{ principal, authentication: { kind: "session", tokenId, createdAt, expiresAt } }',
          },
          '401': { description: 'Invalid, expired or revoked token (audited as a failed login)' },
          '403': { description: 'QUANTA_CSRF_REFUSED: an Origin header of another site' },
        },
      },
      get: {
        summary: 'Who is logged in: the principal, and how (session with its expiry, or bearer token)',
        responses: {
          '200': { description: '{ principal, authentication }' },
          '401': { description: 'No valid token or session' },
        },
      },
      delete: {
        summary:
          'Log out: ends the session of the cookie and clears it (with the cookie: same-origin Origin required)',
        responses: {
          '204': { description: 'Logged out' },
          '401': { description: 'No valid token or session' },
          '403': { description: 'QUANTA_CSRF_REFUSED: cookie without a same-origin Origin header' },
        },
      },
    },
    '/api/grants': {
      get: {
        summary:
          "Grants the caller may see: its own, its domains' (owner or delegate), all for administrators; in force now unless all=true",
        parameters: [
          { name: 'principal', in: 'query', schema: { type: 'string' } },
          { name: 'domain', in: 'query', schema: { type: 'string' } },
          {
            name: 'address',
            in: 'query',
            description: 'A port address or prefix',
            schema: { type: 'string' },
          },
          {
            name: 'all',
            in: 'query',
            description: 'Include expired and revoked grants',
            schema: { type: 'boolean', default: false },
          },
        ],
        responses: {
          '200': { description: '{ grants: Grant[] }, newest first' },
          '401': { description: 'No valid token or session' },
        },
      },
    },
    '/api/grants/{id}/revoke': {
      post: {
        summary:
          "Revoke a grant now (the domain's owner, a delegate, an approver or an administrator); the next query no longer sees it. Audited; revoking twice keeps the first revocation",
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: { type: 'object', required: ['reason'], properties: { reason: { type: 'string' } } },
            },
          },
        },
        responses: {
          '200': { description: '{ grant, isAlreadyRevoked }' },
          '400': { description: 'No reason' },
          '403': { description: 'Not allowed to revoke it, or QUANTA_CSRF_REFUSED' },
          '404': { description: 'No such grant' },
        },
      },
    },
    '/api/runs': {
      get: {
        summary: 'Runs, newest first',
        parameters: [
          { name: 'product', in: 'query', schema: { type: 'string' } },
          { name: 'limit', in: 'query', schema: { type: 'integer' } },
        ],
        responses: { '200': { description: 'Runs' } },
      },
      post: {
        summary:
          'Queue a run of a product for the workers (like `quanta run --queue`; trigger `api:<principal>`)',
        requestBody: {
          required: true,
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['product'],
                properties: { product: { type: 'string', example: 'sales/orders' } },
              },
            },
          },
        },
        responses: {
          '202': { description: '{ runId, product, status }: follow it at /api/runs/{id}' },
          '400': { description: 'No product in the body' },
          '404': { description: 'No such product in the mesh' },
        },
      },
    },
    '/api/runs/{id}': {
      get: {
        summary: 'A run and its step journal; a run no worker has claimed yet answers { queued, events: [] }',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': { description: 'The run' }, '404': { description: 'No such run' } },
      },
    },
    '/api/runs/{id}/lineage': {
      get: {
        summary: "The run's OpenLineage RunEvents (START, then COMPLETE, FAIL or ABORT)",
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': { description: '{ events: RunEvent[] }' } },
      },
    },
  },
  components: {
    securitySchemes: {
      bearerToken: { type: 'http', scheme: 'bearer', description: 'A Quanta token (qt_...)' },
      sessionCookie: {
        type: 'apiKey',
        in: 'cookie',
        name: 'quanta_session',
        description:
          'The session id set by POST /api/session. Requests other than GET/HEAD/OPTIONS authenticated by it must send a same-origin Origin header (CSRF protection), else 403 QUANTA_CSRF_REFUSED',
      },
    },
    schemas: {
      Error: {
        type: 'object',
        required: ['code', 'title', 'message'],
        properties: {
          code: { type: 'string', example: 'QUANTA_NOT_FOUND' },
          title: { type: 'string' },
          message: { type: 'string' },
          location: { type: 'string', description: 'file:line:col' },
          address: { type: 'string' },
          fix: { type: 'string' },
        },
      },
    },
  },
} as const;
