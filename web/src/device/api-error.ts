/** A problem+json answer of the portal API (or a network failure: status 0, code "offline"). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly reason?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** fetch that turns non-2xx problem+json and network failures into ApiError. */
export async function apiFetch(path: string, init: RequestInit = {}): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(path, { ...init, credentials: 'omit', cache: 'no-store' });
  } catch (error) {
    throw new ApiError(0, 'offline', error instanceof Error ? error.message : String(error));
  }
  if (res.ok) return res;
  let body: { code?: string; detail?: string; details?: { reason?: string } } = {};
  try {
    body = (await res.json()) as typeof body;
  } catch {
    // Not JSON (a proxy page, say): the status is all there is.
  }
  throw new ApiError(res.status, body.code ?? `http_${res.status}`, body.detail ?? res.statusText, body.details?.reason);
}

export const jsonInit = (method: string, body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});
