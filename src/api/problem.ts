// Every error leaves the API as RFC 9457 application/problem+json, naming the field at fault where there is one.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, errorTitle, type ErrorCode } from '../core/errors.js';

export const problemContentType = 'application/problem+json';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  field?: string;
  [extra: string]: unknown;
}

export function problemType(code: ErrorCode): string {
  return `/problems/${code}`;
}

interface AjvError {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** JSON Pointer (body) or parameter name (query, path, headers) for the first schema violation. */
function fieldOf(context: string | undefined, v: AjvError): string {
  let pointer = v.instancePath ?? '';
  const extra = v.params?.missingProperty ?? v.params?.additionalProperty;
  if (typeof extra === 'string') pointer += `/${extra}`;
  if (context === 'body') return pointer || '/';
  return pointer.replace(/^\//, '').replace(/\//g, '.') || (context ?? 'request');
}

function describeValidation(context: string | undefined, v: AjvError): string {
  const where = context === 'querystring' ? 'query parameter' : context === 'params' ? 'path parameter' : context === 'headers' ? 'header' : 'field';
  const field = fieldOf(context, v);
  if (v.keyword === 'additionalProperties') return `unknown ${where} ${field}`;
  if (v.keyword === 'required') return `missing required ${where} ${field}`;
  return `${where} ${field} ${v.message ?? 'is invalid'}`;
}

const fastifyCodes: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload-too-large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad-request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'bad-request',
  FST_ERR_CTP_INVALID_JSON_BODY: 'bad-request',
};

export function toProblem(err: unknown, instance: string): { problem: ProblemBody; internal: boolean } {
  if (err instanceof AppError) {
    return {
      problem: {
        ...(err.extra ?? {}),
        type: problemType(err.code),
        title: errorTitle[err.code],
        status: err.status,
        detail: err.message,
        instance,
        ...(err.field !== undefined ? { field: err.field } : {}),
      },
      internal: err.status >= 500,
    };
  }
  const fe = err as FastifyError & { validation?: AjvError[]; validationContext?: string };
  if (fe && Array.isArray(fe.validation) && fe.validation.length > 0) {
    const first = fe.validation[0]!;
    return {
      problem: {
        type: problemType('invalid-field'),
        title: errorTitle['invalid-field'],
        status: 400,
        detail: describeValidation(fe.validationContext, first),
        instance,
        field: fieldOf(fe.validationContext, first),
      },
      internal: false,
    };
  }
  const mapped = fe?.code ? fastifyCodes[fe.code] : undefined;
  if (mapped || (typeof fe?.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500)) {
    const code = mapped ?? 'bad-request';
    const status = mapped ? new AppError(code, '').status : fe.statusCode!;
    const detail = fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || fe instanceof SyntaxError ? `the request body is not valid JSON: ${fe.message}` : fe.message;
    return { problem: { type: problemType(code), title: errorTitle[code], status, detail, instance }, internal: false };
  }
  return {
    problem: { type: problemType('internal'), title: errorTitle.internal, status: 500, detail: 'an internal error occurred; it has been logged', instance },
    internal: true,
  };
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, err: unknown): FastifyReply {
  const { problem, internal } = toProblem(err, request.url);
  if (internal) request.log.error({ err }, 'request failed');
  if (problem.status === 401) reply.header('www-authenticate', 'Bearer realm="clearinghouse"');
  if (internal) problem.detail = `${problem.detail} (request ${request.id})`;
  return reply.code(problem.status).type(problemContentType).send(problem);
}
