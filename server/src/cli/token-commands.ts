import type { Command } from 'commander';
import { createAdminToken, revokeAdminToken } from '../domain/auth/admin-tokens.ts';
import { type CliKit, cliActor, withJson } from './command-kit.ts';
import { emit, table } from './output.ts';

/** `token …` commands: admin tokens for the REST API. */
export function registerTokenCommands(program: Command, kit: CliKit): void {
  const { io } = kit;
  const token = program.command('token').description('admin API tokens');
  withJson(token.command('create').description('create an admin token (printed once)'))
    .requiredOption('--name <name>', 'what the token is for')
    .option('--scope <scopes>', 'comma-separated: read, write, tokens', 'read,write')
    .action((o: { name: string; scope: string; json?: boolean }) =>
      kit.withRuntime(async (rt) => {
        const { token: secret, record } = await createAdminToken(rt.context(cliActor(io)), { name: o.name, scopes: o.scope.split(',').map((s) => s.trim()) });
        emit(io, !!o.json, { ...record, token: secret }, () => `${secret}\n(token "${record.name}", scopes ${record.scopes.join(', ')}; shown once)`);
      }),
    );
  withJson(token.command('list').description('list admin tokens')).action((o: { json?: boolean }) =>
    kit.withRuntime(async (rt) => {
      const ts = await rt.store.tokens.list();
      emit(io, !!o.json, ts, () => table([['ID', 'NAME', 'SCOPES', 'STATUS'], ...ts.map((t) => [t.id, t.name, t.scopes.join(','), t.revokedAt ? 'revoked' : 'active'])]));
    }),
  );
  withJson(token.command('revoke').description('revoke an admin token'))
    .argument('<id>', 'token id (see token list)')
    .action((id: string, o: { json?: boolean }) =>
      kit.withRuntime(async (rt) => {
        await revokeAdminToken(rt.context(cliActor(io)), id);
        emit(io, !!o.json, { revoked: id }, () => `revoked ${id}`);
      }),
    );
}
