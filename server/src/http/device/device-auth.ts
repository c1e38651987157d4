import type { MiddlewareHandler } from 'hono';
import { authenticateDevice } from '../../domain/devices/device-sessions.ts';
import type { Device } from '../../domain/devices/types.ts';
import type { DomainContext } from '../../domain/context.ts';
import type { AppDeps } from '../app-env.ts';

/** Hono variables of authenticated device routes. */
export interface DeviceEnv {
  Variables: {
    ctx: DomainContext;
    device: Device;
  };
}

/**
 * Bearer device-session authentication (`dst_…`). A retired device is refused with
 * device_retired even while its token has not expired.
 */
export function deviceAuth(deps: AppDeps): MiddlewareHandler<DeviceEnv> {
  return async (c, next) => {
    const presented = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1] ?? null;
    const base: DomainContext = { store: deps.store, clock: deps.clock, actor: 'device:anonymous' };
    const device = await authenticateDevice(base, presented);
    c.set('device', device);
    c.set('ctx', { ...base, actor: `device:${device.id}` });
    await next();
  };
}
