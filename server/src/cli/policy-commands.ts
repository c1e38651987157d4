import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { assignPolicy, createPolicy, requirePolicy, resolveTargets, updatePolicySettings } from '../domain/policy/policy-service.ts';
import type { Policy } from '../domain/policy/types.ts';
import { AppError } from '../errors.ts';
import { type CliKit, cliActor, withJson } from './command-kit.ts';
import { emit, table } from './output.ts';

interface SettingsFlags {
  settings?: string;
  signing?: string;
  signingKey?: string;
  encryption?: string;
  notification?: string;
  signAll?: boolean;
  encryptAll?: boolean;
  disabled?: boolean;
  deploy?: boolean;
  allowExport?: boolean;
}

/** Builds the settings object from --settings FILE.json overlaid with the individual flags. */
function settingsFrom(kit: CliKit, o: SettingsFlags): Record<string, unknown> {
  let base: Record<string, unknown> = {};
  if (o.settings) {
    try {
      base = JSON.parse(readFileSync(resolve(kit.io.cwd, o.settings), 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new AppError('bad_request', `cannot read settings from ${o.settings}: ${(error as Error).message}`);
    }
  }
  const signing = { ...(base.signing as object), ...(o.signing ? { profileType: o.signing } : {}), ...(o.signingKey ? { keyAlgorithm: o.signingKey } : {}) };
  const encryption = { ...(base.encryption as object), ...(o.encryption ? { profileType: o.encryption } : {}), ...(o.allowExport ? { allowExport: true } : {}) };
  return {
    ...base,
    ...(o.disabled ? { enabled: false } : {}),
    ...(o.deploy === false ? { deployCertificates: false } : {}),
    ...(o.notification ? { notification: o.notification } : {}),
    ...(o.signAll ? { signAll: true } : {}),
    ...(o.encryptAll ? { encryptAll: true } : {}),
    signing,
    encryption,
  };
}

function settingsOptions(cmd: Command): Command {
  return cmd
    .option('--settings <file.json>', 'settings as JSON (flags below override it)')
    .option('--signing <type>', 'signing profile: scep | importedPkcs | derivedCredential')
    .option('--signing-key <alg>', 'key made on the device for scep signing: RSA-2048 | EC-P256')
    .option('--encryption <type>', 'encryption profile: importedPkcs | derivedCredential')
    .option('--notification <kind>', 'push | email | pushThenEmail')
    .option('--sign-all', 'sign all mail by default')
    .option('--encrypt-all', 'encrypt all mail by default')
    .option('--allow-export', 'let devices export the encryption history as PKCS#12')
    .option('--disabled', 'create the policy disabled')
    .option('--no-deploy', 'do not deploy certificates from the portal');
}

function describePolicy(p: Policy, targets?: number): string {
  const s = p.settings;
  return [
    `policy ${p.name} (${p.id})`,
    `  enabled: ${s.enabled ? 'yes' : 'no'}   deploy certificates: ${s.deployCertificates ? 'yes' : 'no'}`,
    `  signing: ${s.signing.profileType} (${s.signing.keyAlgorithm}, renew at ${Math.round(s.signing.renewalThreshold * 100)}%)   encryption: ${s.encryption.profileType}${s.encryption.allowExport ? ' (export allowed)' : ''}`,
    `  notification: ${s.notification}   signAll: ${s.signAll}   encryptAll: ${s.encryptAll}`,
    `  include: ${p.assignments.filter((a) => a.mode === 'include').map((a) => a.groupName).join(', ') || '(none)'}`,
    `  exclude: ${p.assignments.filter((a) => a.mode === 'exclude').map((a) => a.groupName).join(', ') || '(none)'}`,
    ...(targets === undefined ? [] : [`  targets: ${targets} user(s)`]),
  ].join('\n');
}

const collect = (value: string, previous: string[]) => [...previous, ...value.split(',').map((v) => v.trim()).filter(Boolean)];

/** `policy …` commands. */
export function registerPolicyCommands(program: Command, kit: CliKit): void {
  const { io } = kit;
  const policy = program.command('policy').description('S/MIME policies and their assignments');

  settingsOptions(withJson(policy.command('create').description('create an S/MIME policy')))
    .argument('<name>', 'policy name')
    .action((name: string, o: SettingsFlags & { json?: boolean }) =>
      kit.withRuntime(async (rt) => {
        const p = await createPolicy(rt.context(cliActor(io)), { name, settings: settingsFrom(kit, o) });
        emit(io, !!o.json, p, () => describePolicy(p));
      }),
    );

  settingsOptions(withJson(policy.command('update').description('replace the settings of a policy')))
    .argument('<name>', 'policy name')
    .action((name: string, o: SettingsFlags & { json?: boolean }) =>
      kit.withRuntime(async (rt) => {
        const p = await updatePolicySettings(rt.context(cliActor(io)), name, settingsFrom(kit, o));
        emit(io, !!o.json, p, () => describePolicy(p));
      }),
    );

  withJson(policy.command('assign').description('set the include/exclude groups of a policy (exclude wins)'))
    .argument('<name>', 'policy name')
    .option('--include <groups>', 'group(s) to include (repeat or comma-separate)', collect, [])
    .option('--exclude <groups>', 'group(s) to exclude (repeat or comma-separate)', collect, [])
    .action((name: string, o: { include: string[]; exclude: string[]; json?: boolean }) =>
      kit.withRuntime(async (rt) => {
        const p = await assignPolicy(rt.context(cliActor(io)), name, { include: o.include, exclude: o.exclude });
        const n = await rt.store.policies.countTargets(p.id);
        emit(io, !!o.json, { ...p, targetCount: n }, () => describePolicy(p, n));
      }),
    );

  withJson(policy.command('show').description('show a policy, its assignments and its targets'))
    .argument('<name>', 'policy name')
    .option('--targets <n>', 'also list up to n targeted users', '0')
    .action((name: string, o: { targets: string; json?: boolean }) =>
      kit.withRuntime(async (rt) => {
        const ctx = rt.context(cliActor(io));
        const p = await requirePolicy(ctx, name);
        const n = await rt.store.policies.countTargets(p.id);
        const limit = Number.parseInt(o.targets, 10);
        if (!(limit >= 0 && limit <= 1000)) throw new AppError('validation_failed', '--targets must be a number from 0 to 1000');
        const users = limit > 0 ? (await resolveTargets(ctx, p, { limit })).items : [];
        emit(io, !!o.json, { ...p, targetCount: n, targets: users.map((u) => u.email) }, () =>
          [describePolicy(p, n), ...users.map((u) => `    ${u.email}`)].join('\n'),
        );
      }),
    );

  withJson(policy.command('list').description('list policies')).action((o: { json?: boolean }) =>
    kit.withRuntime(async (rt) => {
      const ps = await rt.store.policies.listPolicies();
      emit(io, !!o.json, ps, () =>
        table([['POLICY', 'ENABLED', 'SIGNING', 'ENCRYPTION', 'NOTIFY'], ...ps.map((p) => [p.name, p.settings.enabled ? 'yes' : 'no', p.settings.signing.profileType, p.settings.encryption.profileType, p.settings.notification])]),
      );
    }),
  );
}
