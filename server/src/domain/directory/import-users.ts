import { displayNameSchema, emailSchema, groupNameSchema, LOCALE_VALUES } from '../../../../shared/schemas/directory.ts';
import { AppError } from '../../errors.ts';
import type { Locale } from '../../ports.ts';
import { audit, type DomainContext, inTransaction } from '../context.ts';
import { CsvSyntaxError, parseCsv } from './parse-csv.ts';

export const MAX_IMPORT_ROWS = 200_000;

export interface ImportReport {
  created: number;
  updated: number;
  unchanged: number;
  membershipsAdded: number;
  groupsCreated: string[];
  rejected: { line: number; email: string | null; reason: string }[];
}

const COLUMN_ALIASES: Record<string, 'email' | 'displayName' | 'groups' | 'locale'> = {
  email: 'email',
  mail: 'email',
  'e-mail': 'email',
  displayname: 'displayName',
  display_name: 'displayName',
  'display name': 'displayName',
  name: 'displayName',
  groups: 'groups',
  group: 'groups',
  locale: 'locale',
  language: 'locale',
};

interface ValidRow {
  line: number;
  email: string;
  displayName: string | null | undefined;
  locale: Locale | undefined;
  groups: string[];
}

/**
 * Bulk user import from CSV with a header row (email required; display name, groups separated
 * by `;`, and locale optional). Valid rows are upserted idempotently and missing groups are
 * created, all in one transaction; invalid rows are reported with the line and the reason and
 * change nothing. A file that is not CSV at all, or has no email column, is rejected whole.
 */
export async function importUsers(ctx: DomainContext, csv: string): Promise<ImportReport> {
  let rows: ReturnType<typeof parseCsv>;
  try {
    rows = parseCsv(csv);
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw new AppError('validation_failed', `CSV is malformed at ${error.message}`, { cause: error });
    throw error;
  }
  const header = rows.shift();
  if (!header) throw new AppError('validation_failed', 'CSV is empty: expected a header row with at least an "email" column');
  const columns = header.fields.map((f) => COLUMN_ALIASES[f.trim().toLowerCase()]);
  const unknown = header.fields.filter((_, i) => columns[i] === undefined);
  if (unknown.length > 0) {
    throw new AppError('validation_failed', `CSV header has unknown column(s) ${unknown.map((u) => JSON.stringify(u)).join(', ')}; expected email, display name, groups, locale`);
  }
  const at = (name: string) => columns.indexOf(name as never);
  if (at('email') < 0) throw new AppError('validation_failed', 'CSV header has no "email" column');
  if (rows.length > MAX_IMPORT_ROWS) throw new AppError('payload_too_large', `CSV has ${rows.length} rows; at most ${MAX_IMPORT_ROWS} per import`);

  const report: ImportReport = { created: 0, updated: 0, unchanged: 0, membershipsAdded: 0, groupsCreated: [], rejected: [] };
  const seen = new Map<string, number>();
  const valid: ValidRow[] = [];
  for (const row of rows) {
    const raw = (name: string) => (at(name) >= 0 ? row.fields[at(name)] : undefined);
    const rawEmail = raw('email') ?? '';
    const reject = (reason: string) => report.rejected.push({ line: row.line, email: rawEmail.trim() || null, reason });
    if (row.fields.length !== header.fields.length) {
      reject(`has ${row.fields.length} fields; the header has ${header.fields.length}`);
      continue;
    }
    const email = emailSchema.safeParse(rawEmail);
    if (!email.success) {
      reject(rawEmail.trim() === '' ? 'email is missing' : `email ${email.error.issues[0]?.message ?? 'is invalid'}`);
      continue;
    }
    const first = seen.get(email.data);
    if (first !== undefined) {
      reject(`duplicate of line ${first}`);
      continue;
    }
    const rawName = raw('displayName');
    const name = rawName === undefined || rawName.trim() === '' ? undefined : displayNameSchema.safeParse(rawName);
    if (name && !name.success) {
      reject(`display name ${name.error.issues[0]?.message ?? 'is invalid'}`);
      continue;
    }
    const rawLocale = raw('locale')?.trim();
    if (rawLocale && !LOCALE_VALUES.includes(rawLocale as Locale)) {
      reject(`locale must be one of ${LOCALE_VALUES.join(', ')}`);
      continue;
    }
    const groupNames = (raw('groups') ?? '').split(';').map((g) => g.trim()).filter(Boolean);
    const groups = groupNames.map((g) => groupNameSchema.safeParse(g));
    const badGroup = groups.findIndex((g) => !g.success);
    if (badGroup >= 0) {
      reject(`group "${groupNames[badGroup]}" ${groups[badGroup]?.error?.issues[0]?.message ?? 'is invalid'}`);
      continue;
    }
    seen.set(email.data, row.line);
    valid.push({
      line: row.line,
      email: email.data,
      displayName: name?.data,
      locale: (rawLocale || undefined) as Locale | undefined,
      groups: [...new Set(groups.map((g) => g.data as string))],
    });
  }

  await inTransaction(ctx, async (tx) => {
    const now = tx.clock.now();
    const groupIds = new Map<string, string>();
    for (const name of new Set(valid.flatMap((r) => r.groups))) {
      const existing = await tx.store.directory.findGroupByName(name);
      const group = existing ?? (await tx.store.directory.createGroup(name, now));
      if (!existing) report.groupsCreated.push(name);
      groupIds.set(name, group.id);
    }
    for (const r of valid) {
      const { user, created, changed } = await tx.store.directory.upsertUser({ email: r.email, displayName: r.displayName, locale: r.locale }, now);
      if (created) report.created++;
      else if (changed) report.updated++;
      else report.unchanged++;
      for (const g of r.groups) if (await tx.store.directory.addMember(groupIds.get(g)!, user.id)) report.membershipsAdded++;
    }
    await audit(tx, 'user.import', null, {
      created: report.created,
      updated: report.updated,
      unchanged: report.unchanged,
      rejected: report.rejected.length,
      groupsCreated: report.groupsCreated,
    });
  });
  return report;
}
