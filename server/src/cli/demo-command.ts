import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { seedDemo } from '../domain/retrieval/seed-demo.ts';
import { AppError } from '../errors.ts';
import { openCertificates } from '../vault/open-certificates.ts';
import { type CliKit, cliActor, withJson } from './command-kit.ts';
import { emit } from './output.ts';

/**
 * `smime-portal demo`: a first run that shows the product. Seeds a demo organisation on the
 * configured database (the embedded SQLite by default), with a history issued by the built-in CA,
 * and prints the enrollment link and what to do next.
 */
export function registerDemoCommand(program: Command, kit: CliKit): void {
  const { io } = kit;
  withJson(program.command('demo').description('seed a demo organisation (users, group, policy, encryption history) and print an enrollment link'))
    .option('--email <email>', 'the demo user (you)', 'alice@demo.example')
    .option('--history <n>', 'encryption certificates in the demo history', '3')
    .action((o: { email: string; history: string; json?: boolean }) =>
      kit.withRuntime(async (rt) => {
        const history = Number(o.history);
        if (!Number.isInteger(history) || history < 1 || history > 20) throw new AppError('validation_failed', '--history must be a whole number from 1 to 20');
        const ctx = rt.context(cliActor(io));
        const certificates = await openCertificates(rt.config, ctx);
        const r = await seedDemo(ctx, certificates.issuer, { email: o.email, history });
        const base = rt.config.publicUrl;
        const enrollLink = `${base}/enroll?code=${encodeURIComponent(r.enrollmentCode)}`;
        const messageFile = join(rt.config.dataDir, 'demo-old-message.eml');
        writeFileSync(messageFile, r.oldMessage);
        const value = {
          email: r.email,
          colleagues: r.colleagues,
          group: r.group,
          policy: r.policy,
          history: { issued: r.historyIssued, total: r.historyTotal },
          enrollLink,
          retrieveLink: `${base}/smime/retrieve`,
          checkLink: `${base}/smime/check`,
          oldMessageFile: messageFile,
          expiresAt: r.expiresAt.toISOString(),
        };
        emit(io, !!o.json, value, () =>
          [
            `demo organisation ready: ${r.email} (+ ${r.colleagues.join(', ')}) in group "${r.group}", policy "${r.policy}"`,
            `encryption history: ${r.historyTotal} certificates from the built-in CA (${r.historyIssued} new; the older ones have expired)`,
            '',
            'next:',
            '  1. start the portal:            npm start   (or: smime-portal serve)',
            `  2. enroll this browser:         ${enrollLink}`,
            `     (single use, valid until ${r.expiresAt.toISOString()})`,
            `  3. retrieve the certificates:   ${value.retrieveLink}`,
            `  4. open an old message:         ${value.checkLink}  with the file ${messageFile}`,
          ].join('\n'),
        );
      }),
    );
}
