import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { addGroup, addMember, addUser, removeMember } from '../domain/directory/directory-service.ts';
import { importUsers } from '../domain/directory/import-users.ts';
import { AppError } from '../errors.ts';
import { type CliKit, cliActor, withJson } from './command-kit.ts';
import { emit, table } from './output.ts';

/** `user …` and `group …` commands. */
export function registerDirectoryCommands(program: Command, kit: CliKit): void {
  const { io } = kit;
  const user = program.command('user').description('manage users');

  withJson(user.command('add').description('create a user, or update the name/locale of an existing one'))
    .requiredOption('--email <email>', 'email address (the S/MIME identity)')
    .option('--name <name>', 'display name')
    .option('--locale <locale>', 'en or zh-TW')
    .action((o: { email: string; name?: string; locale?: string; json?: boolean }) =>
      kit.withRuntime(async (rt) => {
        const { user: u, created } = await addUser(rt.context(cliActor(io)), { email: o.email, displayName: o.name, locale: o.locale });
        emit(io, !!o.json, { ...u, created }, () => `${created ? 'created' : 'updated'} user ${u.email} (${u.id})`);
      }),
    );

  withJson(user.command('import').description('bulk import users from CSV (header: email, display name, groups separated by ";", locale)'))
    .argument('<file>', 'CSV file (UTF-8)')
    .action((file: string, o: { json?: boolean }) =>
      kit.withRuntime(async (rt) => {
        let text: string;
        try {
          text = readFileSync(resolve(io.cwd, file), 'utf8');
        } catch (error) {
          throw new AppError('bad_request', `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
        }
        const r = await importUsers(rt.context(cliActor(io)), text);
        emit(io, !!o.json, r, () =>
          [
            `created ${r.created}, updated ${r.updated}, unchanged ${r.unchanged}, memberships added ${r.membershipsAdded}, rejected ${r.rejected.length}`,
            ...(r.groupsCreated.length ? [`groups created: ${r.groupsCreated.join(', ')}`] : []),
            ...r.rejected.map((x) => `  line ${x.line}${x.email ? ` (${x.email})` : ''}: ${x.reason}`),
          ].join('\n'),
        );
      }),
    );

  withJson(user.command('list').description('list users'))
    .option('--query <text>', 'search email and name')
    .option('--limit <n>', 'at most this many', '100')
    .action((o: { query?: string; limit: string; json?: boolean }) =>
      kit.withRuntime(async (rt) => {
        const limit = Number.parseInt(o.limit, 10);
        if (!(limit >= 1 && limit <= 10_000)) throw new AppError('validation_failed', '--limit must be a number from 1 to 10000');
        const page = await rt.store.directory.listUsers({ query: o.query, limit });
        emit(io, !!o.json, page, () => table([['EMAIL', 'NAME', 'LOCALE'], ...page.items.map((u) => [u.email, u.displayName ?? '', u.locale ?? ''])]));
      }),
    );

  const group = program.command('group').description('manage groups and memberships');
  withJson(group.command('add').description('create a group'))
    .argument('<name>', 'group name')
    .action((name: string, o: { json?: boolean }) =>
      kit.withRuntime(async (rt) => {
        const g = await addGroup(rt.context(cliActor(io)), { name });
        emit(io, !!o.json, g, () => `created group ${g.name}`);
      }),
    );

  withJson(group.command('list').description('list groups with member counts')).action((o: { json?: boolean }) =>
    kit.withRuntime(async (rt) => {
      const groups = await rt.store.directory.listGroups();
      emit(io, !!o.json, groups, () => table([['GROUP', 'MEMBERS'], ...groups.map((g) => [g.name, String(g.memberCount)])]));
    }),
  );

  const member = group.command('member').description('group membership');
  withJson(member.command('add').description('add a user to a group (idempotent)'))
    .argument('<group>', 'group name')
    .argument('<email>', 'user email')
    .action((g: string, email: string, o: { json?: boolean }) =>
      kit.withRuntime(async (rt) => {
        const r = await addMember(rt.context(cliActor(io)), g, email);
        emit(io, !!o.json, r, () => (r.added ? `added ${email} to ${g}` : `${email} already in ${g}`));
      }),
    );
  withJson(member.command('remove').description('remove a user from a group'))
    .argument('<group>', 'group name')
    .argument('<email>', 'user email')
    .action((g: string, email: string, o: { json?: boolean }) =>
      kit.withRuntime(async (rt) => {
        const r = await removeMember(rt.context(cliActor(io)), g, email);
        emit(io, !!o.json, r, () => (r.removed ? `removed ${email} from ${g}` : `${email} was not in ${g}`));
      }),
    );
}
