import type { Command } from 'commander';
import { AppError } from '../errors.ts';
import { backupSqlite, restoreSqlite } from '../ops/backup.ts';
import { type CliKit, withJson } from './command-kit.ts';
import { emit } from './output.ts';

const PG_HINT =
  'with DATABASE_URL (PostgreSQL) use pg_dump -Fc "$DATABASE_URL" -f portal.dump and pg_restore -d "$DATABASE_URL" portal.dump (see README)';

/** `backup` and `restore` of the key escrow database (never the KEK). */
export function registerOpsCommands(program: Command, kit: CliKit): void {
  const { io } = kit;
  withJson(program.command('backup').description('consistent online snapshot of the SQLite database (safe while serving; never includes the KEK)'))
    .requiredOption('--out <file>', 'backup file to write (must not exist)')
    .action(async (o: { out: string; json?: boolean }) => {
      const config = kit.config();
      if (config.database.kind !== 'sqlite') throw new AppError('bad_request', PG_HINT);
      const r = await backupSqlite(config.database.file, o.out);
      emit(io, !!o.json, { file: o.out, ...r }, () => `backup written to ${o.out} (${r.bytes} bytes). The KEK (${config.kek ? 'KEK env' : `${config.dataDir}/kek`}) is NOT in it: keep it safe, apart from backups.`);
    });

  withJson(program.command('restore').description('restore a backup into an empty data dir (then start with the same KEK)'))
    .argument('<file>', 'backup file made by `smime-portal backup`')
    .action(async (file: string, o: { json?: boolean }) => {
      const db = kit.config().database;
      if (db.kind !== 'sqlite') throw new AppError('bad_request', PG_HINT);
      const r = await restoreSqlite(file, db.file);
      emit(io, !!o.json, { restored: db.file, ...r }, () => `restored ${file} into ${db.file}. Put the KEK that was in use at backup time in place before starting.`);
    });
}
