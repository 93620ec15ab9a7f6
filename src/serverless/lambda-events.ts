/**
 * The three event shapes AWS Lambda delivers HTTP requests in, and the results it expects back:
 * API Gateway REST APIs (payload format 1.0), HTTP APIs (payload format 2.0) and Lambda Function URLs (the 2.0
 * format). Only the fields this adapter reads are typed.
 */

/** API Gateway REST API (and HTTP API with payload format 1.0). */
export interface ApiGatewayV1Event {
  version?: '1.0';
  httpMethod: string;
  /** The resource path, without the stage (requestContext.path has it). */
  path: string;
  headers?: Record<string, string | undefined> | null;
  multiValueHeaders?: Record<string, string[] | undefined> | null;
  queryStringParameters?: Record<string, string | undefined> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
  requestContext?: { stage?: string; path?: string };
}

/** HTTP API (payload format 2.0) and Function URL events. */
export interface ApiGatewayV2Event {
  version: '2.0';
  rawPath: string;
  rawQueryString?: string;
  headers?: Record<string, string | undefined>;
  cookies?: string[];
  body?: string;
  isBase64Encoded?: boolean;
  requestContext: { http: { method: string; path?: string }; stage?: string; domainName?: string };
}

export type HttpEvent = ApiGatewayV1Event | ApiGatewayV2Event;

export interface V1Result {
  statusCode: number;
  headers: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  body: string;
  isBase64Encoded: false;
}

export interface V2Result {
  statusCode: number;
  headers: Record<string, string>;
  cookies?: string[];
  body: string;
  isBase64Encoded: false;
}

/** A request in the shape Fastify's inject() takes. */
export interface InjectableRequest {
  method: string;
  /** Path and query string. */
  url: string;
  headers: Record<string, string>;
  payload?: Buffer;
}

export function isV2(event: HttpEvent): event is ApiGatewayV2Event {
  return (event as ApiGatewayV2Event).version === '2.0' && typeof (event as ApiGatewayV2Event).rawPath === 'string';
}

export function isHttpEvent(event: unknown): event is HttpEvent {
  if (typeof event !== 'object' || event === null) return false;
  const e = event as Record<string, unknown>;
  return (typeof e.httpMethod === 'string' && typeof e.path === 'string') || (e.version === '2.0' && typeof e.rawPath === 'string');
}

function lowerCaseHeaders(headers: Record<string, string | undefined> | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) if (value !== undefined) out[name.toLowerCase()] = value;
  return out;
}

function queryString(params: Record<string, string | undefined> | null | undefined): string {
  const entries = Object.entries(params ?? {}).filter((e): e is [string, string] => e[1] !== undefined);
  return entries.length ? `?${new URLSearchParams(entries).toString()}` : '';
}

/**
 * The request an event carries. HTTP API paths include a named stage (`/prod/sentiment`); it is removed so the
 * server sees its own routes. Content-Length is recomputed from the decoded body.
 */
export function toRequest(event: HttpEvent): InjectableRequest {
  const body = isV2(event) ? event.body : (event.body ?? undefined);
  const payload = body === undefined ? undefined : Buffer.from(body, event.isBase64Encoded ? 'base64' : 'utf8');
  if (isV2(event)) {
    const stage = event.requestContext.stage;
    let path = event.rawPath || '/';
    if (stage && stage !== '$default' && (path === `/${stage}` || path.startsWith(`/${stage}/`))) {
      path = path.slice(stage.length + 1) || '/';
    }
    const headers = lowerCaseHeaders(event.headers);
    if (event.cookies?.length) headers.cookie = event.cookies.join('; ');
    delete headers['content-length'];
    return { method: event.requestContext.http.method, url: path + (event.rawQueryString ? `?${event.rawQueryString}` : ''), headers, payload };
  }
  const headers = lowerCaseHeaders(event.headers);
  for (const [name, values] of Object.entries(event.multiValueHeaders ?? {})) {
    if (values?.length && headers[name.toLowerCase()] === undefined) headers[name.toLowerCase()] = values.join(',');
  }
  delete headers['content-length'];
  return { method: event.httpMethod, url: event.path + queryString(event.queryStringParameters), headers, payload };
}

/** An HTTP response as the event's API expects it: v1 keeps repeated headers in multiValueHeaders, v2 in cookies. */
export function toResult(
  event: HttpEvent,
  response: { statusCode: number; headers: Record<string, string | string[] | number | undefined>; body: string },
): V1Result | V2Result {
  const headers: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  let cookies: string[] | undefined;
  for (const [name, value] of Object.entries(response.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      if (name === 'set-cookie' && isV2(event)) cookies = value;
      else multi[name] = value;
    } else {
      headers[name] = String(value);
    }
  }
  if (isV2(event)) {
    for (const [name, values] of Object.entries(multi)) headers[name] = values.join(', ');
    return { statusCode: response.statusCode, headers, ...(cookies ? { cookies } : {}), body: response.body, isBase64Encoded: false };
  }
  return {
    statusCode: response.statusCode,
    headers,
    ...(Object.keys(multi).length ? { multiValueHeaders: multi } : {}),
    body: response.body,
    isBase64Encoded: false,
  };
}
