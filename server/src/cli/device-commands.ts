import type { Command } from 'commander';
import { listDevicesOf, retireDevice } from '../domain/devices/device-service.ts';
import { createEnrollmentCode, ENROLLMENT_CODE_TTL_MS } from '../domain/devices/enrollment.ts';
import { type CliKit, cliActor, withJson } from './command-kit.ts';
import { emit, table } from './output.ts';

/** `enroll-code` and `device …` commands: one-time enrollment codes, device list and retirement. */
export function registerDeviceCommands(program: Command, kit: CliKit): void {
  const { io } = kit;
  withJson(program.command('enroll-code').description('make a one-time device enrollment code and link for a user'))
    .requiredOption('--user <email>', 'the user who enrolls a device')
    .option('--ttl-minutes <n>', 'how long the code is valid', String(ENROLLMENT_CODE_TTL_MS / 60_000))
    .action((o: { user: string; ttlMinutes: string; json?: boolean }) =>
      kit.withRuntime(async (rt) => {
        const minutes = Number(o.ttlMinutes);
        const r = await createEnrollmentCode(rt.context(cliActor(io)), { email: o.user, ttlMs: Math.round(minutes * 60_000) });
        const link = `${rt.config.publicUrl}/enroll?code=${encodeURIComponent(r.code)}`;
        emit(io, !!o.json, { code: r.code, link, email: r.email, expiresAt: r.expiresAt.toISOString() }, () =>
          [`code:    ${r.code}`, `link:    ${link}`, `user:    ${r.email}`, `expires: ${r.expiresAt.toISOString()} (single use)`].join('\n'),
        );
      }),
    );

  const device = program.command('device').description('enrolled devices');
  withJson(device.command('list').description('list a user’s devices'))
    .requiredOption('--user <email>', 'whose devices')
    .action((o: { user: string; json?: boolean }) =>
      kit.withRuntime(async (rt) => {
        const devices = await listDevicesOf(rt.context(cliActor(io)), o.user);
        const rows = devices.map((d) => ({
          id: d.id,
          name: d.name,
          platform: d.platform,
          status: d.status,
          push: d.push !== null,
          enrolledAt: d.enrolledAt.toISOString(),
          lastSeenAt: d.lastSeenAt?.toISOString() ?? null,
          retiredAt: d.retiredAt?.toISOString() ?? null,
        }));
        emit(io, !!o.json, rows, () =>
          rows.length === 0
            ? `no devices for ${o.user}`
            : table([['ID', 'NAME', 'PLATFORM', 'STATUS', 'PUSH', 'ENROLLED'], ...rows.map((r) => [r.id, r.name, r.platform, r.status, r.push ? 'yes' : 'no', r.enrolledAt])]),
        );
      }),
    );
  withJson(device.command('retire').description('retire a device: its sessions end and it is refused everywhere'))
    .argument('<id>', 'device id (see device list)')
    .action((id: string, o: { json?: boolean }) =>
      kit.withRuntime(async (rt) => {
        const d = await retireDevice(rt.context(cliActor(io)), id);
        emit(io, !!o.json, { retired: d.id, retiredAt: d.retiredAt?.toISOString() }, () => `retired ${d.id}`);
      }),
    );
}
