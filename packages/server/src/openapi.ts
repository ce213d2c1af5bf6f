/** The OpenAPI description of the HTTP API, served at /openapi.json. */
export const OPENAPI_DOCUMENT = {
  openapi: '3.1.0',
  info: {
    title: 'Quanta API',
    version: '0.1.0',
    description: 'Catalog, runs and governed SQL queries over the data products of a Quanta mesh.',
  },
  paths: {
    '/health': {
      get: {
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
          '200': { description: 'Columns, rows and the port versions read' },
          '400': { description: 'Invalid SQL' },
          '403': { description: 'Statement not allowed' },
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
    },
    '/api/runs/{id}': {
      get: {
        summary: 'A run and its step journal',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': { description: 'The run' }, '404': { description: 'No such run' } },
      },
    },
  },
  components: {
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
