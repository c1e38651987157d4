/**
 * Kysely's SQLite dialect with lock waits that do not freeze the process. SQLite lets one
 * connection write at a time; with a busy timeout, a connection that finds the file locked by
 * another process (the CLI's import, a `worker`, a campaign being queued) sleeps inside the
 * synchronous driver — the whole event loop stops: no HTTP request is answered, no push goes out,
 * no timer fires. Here the connection has no busy timeout; a statement refused with SQLITE_BUSY
 * is tried again after an asynchronous pause, until `busyTimeoutMs` has passed. Transactions
 * begin IMMEDIATE, so the write lock is taken (or waited for) at BEGIN, where retrying is safe,
 * never halfway through. Inside a transaction a refusal is thrown as it comes.
 */
import type BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, type DatabaseConnection, type Driver, type QueryResult, SqliteDialect, type SqliteDialectConfig, SqliteDriver } from 'kysely';

/** How long a statement may wait for another connection's write lock, in all. */
export const SQLITE_BUSY_TIMEOUT_MS = 5000;
/** Pauses between tries grow to this. */
const MAX_PAUSE_MS = 8;

export interface PatientSqliteOptions {
  /** The connection, for whether it is inside a transaction. */
  sqlite: BetterSqlite3.Database;
  busyTimeoutMs?: number;
}

/** SQLITE_BUSY and its extended forms (…_RECOVERY while another connection recovers the WAL). */
const isBusy = (error: unknown) => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
};

class PatientConnection implements DatabaseConnection {
  constructor(
    private readonly inner: DatabaseConnection,
    private readonly sqlite: BetterSqlite3.Database,
    private readonly busyTimeoutMs: number,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const deadline = Date.now() + this.busyTimeoutMs;
    for (let pause = 1; ; pause = Math.min(pause * 2, MAX_PAUSE_MS)) {
      try {
        return await this.inner.executeQuery<R>(query);
      } catch (error) {
        // Refused before it changed anything: safe to try again, unless a transaction is open.
        if (!isBusy(error) || this.sqlite.inTransaction || Date.now() >= deadline) throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

class PatientDriver extends SqliteDriver implements Driver {
  /** Kysely's SQLite driver has one connection; this wraps it. */
  private connection: PatientConnection | undefined;

  constructor(
    config: SqliteDialectConfig,
    private readonly options: PatientSqliteOptions,
  ) {
    super(config);
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    const inner = await super.acquireConnection();
    this.connection ??= new PatientConnection(inner, this.options.sqlite, this.options.busyTimeoutMs ?? SQLITE_BUSY_TIMEOUT_MS);
    return this.connection;
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/** Kysely's SQLite dialect over `config.database`, waiting for locks as above; `options.sqlite` must have busy_timeout 0. */
export class PatientSqliteDialect extends SqliteDialect {
  constructor(
    private readonly config: SqliteDialectConfig,
    private readonly options: PatientSqliteOptions,
  ) {
    super(config);
  }

  override createDriver(): Driver {
    return new PatientDriver(this.config, this.options);
  }
}
