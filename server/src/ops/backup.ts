import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { AppError } from '../errors.ts';

/**
 * A consistent online snapshot of the embedded SQLite database through SQLite's backup API:
 * safe while `serve` and workers write (WAL), page by page. The KEK is a separate file and is
 * never part of a backup; keep the two apart.
 */
export async function backupSqlite(databaseFile: string, outFile: string): Promise<{ bytes: number; pages: number }> {
  if (!existsSync(databaseFile)) throw new AppError('not_found', `no database at ${databaseFile} (is DATA_DIR right?)`);
  const out = resolve(outFile);
  if (existsSync(out)) throw new AppError('conflict', `${outFile} exists; choose a new file name`);
  mkdirSync(dirname(out), { recursive: true });
  const partial = `${out}.partial`;
  rmSync(partial, { force: true });
  const db = new SqliteDatabase(databaseFile, { readonly: true, fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    // One step for the whole file: a stepped backup restarts whenever another connection
    // writes, and under steady load would never finish. In WAL mode one step reads a single
    // consistent snapshot while writers carry on.
    const { totalPages } = await db.backup(partial, { progress: () => 2_000_000_000 });
    renameSync(partial, out);
    return { bytes: statSync(out).size, pages: totalPages };
  } catch (error) {
    rmSync(partial, { force: true });
    throw error instanceof AppError ? error : new AppError('internal', `backup failed: ${(error as Error).message}`, { cause: error });
  } finally {
    db.close();
  }
}

/**
 * Restores a backup made by `backupSqlite` into an empty data dir. Checks first that the file
 * is an intact smime-portal database, so a wrong file fails clearly instead of starting empty.
 */
export async function restoreSqlite(backupFile: string, databaseFile: string): Promise<{ migrations: number }> {
  if (!existsSync(backupFile)) throw new AppError('not_found', `no backup file ${backupFile}`);
  if (existsSync(databaseFile)) {
    throw new AppError('conflict', `${databaseFile} exists: restore only into an empty data dir (move the old one aside first)`);
  }
  let migrations: number;
  let check: SqliteDatabase.Database | undefined;
  try {
    check = new SqliteDatabase(backupFile, { readonly: true, fileMustExist: true });
    const ok = check.pragma('integrity_check', { simple: true });
    if (ok !== 'ok') throw new AppError('validation_failed', `${backupFile} is damaged (integrity check: ${String(ok)})`);
    const row = check.prepare("select count(*) as n from sqlite_master where type = 'table' and name = 'kysely_migration'").get() as { n: number };
    if (row.n !== 1) throw new AppError('validation_failed', `${backupFile} is not an smime-portal backup (no migration table)`);
    migrations = (check.prepare('select count(*) as n from kysely_migration').get() as { n: number }).n;
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('validation_failed', `${backupFile} is not a SQLite database: ${(error as Error).message}`, { cause: error });
  } finally {
    check?.close();
  }
  mkdirSync(dirname(databaseFile), { recursive: true });
  // Copy through the backup API (not a file copy): the result is a clean, WAL-free file, and a
  // failure part-way leaves no database behind.
  const source = new SqliteDatabase(backupFile, { readonly: true });
  try {
    await source.backup(databaseFile);
  } catch (error) {
    rmSync(databaseFile, { force: true });
    throw new AppError('internal', `restore failed: ${(error as Error).message}`, { cause: error });
  } finally {
    source.close();
  }
  return { migrations };
}
