// Liveness and readiness, and the human-readable description behind each problem type.
import { sql } from 'kysely';
import { Type } from 'typebox';
import { errorStatus, errorTitle, type ErrorCode } from '../../core/errors.js';
import type { Services } from '../../services/index.js';
import { publicAccess } from '../access.js';
import type { Api } from '../types.js';

export function healthRoutes(app: Api, services: Services): void {
  app.get(
    '/healthz',
    {
      config: { access: publicAccess },
      schema: {
        tags: ['operations'],
        summary: 'Health: the server runs and its database answers',
        response: { 200: Type.Object({ status: Type.Literal('ok'), database: Type.String(), logSize: Type.Integer() }) },
      },
    },
    async () => {
      await sql`SELECT 1`.execute(services.store.db);
      return { status: 'ok' as const, database: services.store.engine, logSize: await services.log.size() };
    },
  );

  app.get(
    '/problems/:code',
    {
      config: { access: publicAccess },
      schema: { tags: ['operations'], summary: 'What a problem type means', params: Type.Object({ code: Type.String() }) },
    },
    async (request, reply) => {
      const code = request.params.code as ErrorCode;
      if (!(code in errorStatus)) return reply.code(404).type('text/plain; charset=utf-8').send('unknown problem type\n');
      return reply
        .type('text/plain; charset=utf-8')
        .send(`${errorTitle[code]} (HTTP ${errorStatus[code]})\nThe "detail" member says what went wrong and "field", when present, names the input at fault.\n`);
    },
  );
}
