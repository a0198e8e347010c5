// The public transparency log: signed checkpoint, verifier key, entries and RFC 9162 proofs.
import { Type } from 'typebox';
import { leafHash } from '../../core/merkle/index.js';
import type { Services } from '../../services/index.js';
import { publicAccess } from '../access.js';
import type { Api } from '../types.js';

const b64 = Type.String({ contentEncoding: 'base64' });
const Count = Type.Integer({ minimum: 0 });

export function logRoutes(app: Api, services: Services): void {
  const { log } = services;

  app.get(
    '/v1/log/checkpoint',
    {
      config: { access: publicAccess },
      schema: {
        tags: ['transparency log'],
        summary: 'The latest checkpoint: a C2SP tlog-checkpoint signed note (text/plain)',
        response: { 200: Type.String() },
      },
    },
    async (_request, reply) => {
      reply.type('text/plain; charset=utf-8').header('cache-control', 'no-store');
      return (await log.checkpoint()).note;
    },
  );

  app.get(
    '/v1/log/key',
    {
      config: { access: publicAccess },
      schema: { tags: ['transparency log'], summary: 'The checkpoint verifier key in signed-note form (name+keyhash+base64)', response: { 200: Type.String() } },
    },
    async (_request, reply) => {
      reply.type('text/plain; charset=utf-8');
      return `${log.verifierKey}\n`;
    },
  );

  app.get(
    '/v1/log/entries',
    {
      config: { access: publicAccess },
      schema: {
        tags: ['transparency log'],
        summary: 'Entries [start, end), at most 1,000 per call',
        querystring: Type.Object({ start: Count, end: Count }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            entries: Type.Array(
              Type.Object({
                index: Count,
                data: Type.String({ description: 'base64 of the entry\'s canonical bytes (RFC 8785 JSON)' }),
                leafHash: Type.String({ description: 'base64 SHA-256(0x00 ‖ bytes)' }),
              }),
            ),
          }),
        },
      },
    },
    async (request) => {
      const entries = await log.entries(request.query.start, request.query.end);
      return { entries: entries.map((e) => ({ index: e.index, data: e.data.toString('base64'), leafHash: leafHash(e.data).toString('base64') })) };
    },
  );

  app.get(
    '/v1/log/proof/inclusion',
    {
      config: { access: publicAccess },
      schema: {
        tags: ['transparency log'],
        summary: 'RFC 9162 §2.1.3 inclusion proof of entry `index` in the tree of `size` entries',
        querystring: Type.Object({ index: Count, size: Count }, { additionalProperties: false }),
        response: { 200: Type.Object({ index: Count, size: Count, leafHash: b64, hashes: Type.Array(b64) }) },
      },
    },
    async (request) => {
      const p = await log.inclusionProof(request.query.index, request.query.size);
      return { index: p.index, size: p.size, leafHash: p.leafHash.toString('base64'), hashes: p.hashes.map((h) => h.toString('base64')) };
    },
  );

  app.get(
    '/v1/log/proof/consistency',
    {
      config: { access: publicAccess },
      schema: {
        tags: ['transparency log'],
        summary: 'RFC 9162 §2.1.4 consistency proof between tree sizes `from` and `to`',
        querystring: Type.Object({ from: Count, to: Count }, { additionalProperties: false }),
        response: { 200: Type.Object({ from: Count, to: Count, hashes: Type.Array(b64) }) },
      },
    },
    async (request) => {
      const p = await log.consistencyProof(request.query.from, request.query.to);
      return { from: p.from, to: p.to, hashes: p.hashes.map((h) => h.toString('base64')) };
    },
  );
}
