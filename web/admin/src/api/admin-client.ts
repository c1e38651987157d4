/**
 * The console's API client: same-origin fetch with the session cookie, the session's CSRF
 * token on every state-changing call, problem+json errors as ApiError.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown> | null;
  constructor(status: number, code: string, message: string, details: Record<string, unknown> | null = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export interface AdminClient {
  get<T>(path: string): Promise<T>;
  send<T>(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T>;
  setCsrf(token: string | null): void;
}

/** `onUnauthorized` runs when the session is gone (expired, signed out elsewhere). */
export function createAdminClient(onUnauthorized: () => void): AdminClient {
  let csrf: string | null = null;
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    // The admin API takes JSON on every POST/PUT, even an action without fields.
    if (body === undefined && (method === 'POST' || method === 'PUT')) body = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (method !== 'GET' && csrf) headers['x-csrf-token'] = csrf;
    const res = await fetch(`/api/admin${path}`, { method, headers, credentials: 'same-origin', ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    if (res.status === 204) return undefined as T;
    const data = (await res.json().catch(() => null)) as Record<string, unknown> | null;
    if (!res.ok) {
      if (res.status === 401 && path !== '/session') onUnauthorized();
      const detail = typeof data?.detail === 'string' ? data.detail : res.statusText;
      throw new ApiError(res.status, typeof data?.code === 'string' ? data.code : 'http_error', detail, (data?.details as Record<string, unknown> | undefined) ?? null);
    }
    return data as T;
  }
  return {
    get: (path) => call('GET', path),
    send: (method, path, body) => call(method, path, body),
    setCsrf: (token) => {
      csrf = token;
    },
  };
}
