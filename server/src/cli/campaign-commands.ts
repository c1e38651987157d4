import type { Command } from 'commander';
import { campaignStatus, changeCampaign, startCampaign } from '../domain/campaigns/campaign-service.ts';
import type { Campaign, CampaignProgress } from '../domain/campaigns/types.ts';
import { AppError } from '../errors.ts';
import { openRuntime } from '../runtime.ts';
import { loadOrCreateVapidKeys } from '../vapid-store.ts';
import { openVerifiedVault } from '../vault/open-vault.ts';
import { channelsFromConfig } from '../worker/channels-from-config.ts';
import { startWorker } from '../worker/start-worker.ts';
import { type CliKit, cliActor, withJson } from './command-kit.ts';
import { emit, table } from './output.ts';

/** `[██████░░░░] 60%  sent 600 …` — the one-line progress of a campaign. */
export function progressLine(c: Campaign, p: CampaignProgress, width = 30): string {
  const done = p.total - p.states.pending - p.states.sending;
  const ratio = p.total === 0 ? 1 : done / p.total;
  const filled = Math.round(ratio * width);
  const counts = (['pending', 'sending', 'sent', 'opened', 'retrieved', 'failed', 'skipped'] as const).map((s) => `${s} ${p.states[s]}`).join('  ');
  return `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${String(Math.floor(ratio * 100)).padStart(3)}%  ${c.status}  ${counts}`;
}

function describe(c: Campaign, p: CampaignProgress): string {
  return [
    `campaign ${c.id} (${c.kind}, ${c.channel}) ${c.status}, ${p.total} recipient(s), started ${c.createdAt.toISOString()} by ${c.createdBy}`,
    progressLine(c, p),
    `  funnel: sent ${p.funnel.sent} → opened ${p.funnel.opened} → retrieved ${p.funnel.retrieved}`,
  ].join('\n');
}

/** `campaign …` and `worker`. */
export function registerCampaignCommands(program: Command, kit: CliKit): void {
  const { io } = kit;
  const campaign = program.command('campaign').description('notification campaigns (push, email, push with email fallback)');

  withJson(
    campaign
      .command('start')
      .description('notify every user a policy targets')
      .addHelpText(
        'after',
        '\nUsers already recipients of a running or paused campaign for the policy are not notified again;\nusers notified by a campaign that is already done (or cancelled) are queued again.',
      ),
  )
    .requiredOption('--policy <name>', 'policy name or id')
    .option('--channel <channel>', 'push | email | pushThenEmail (default: the policy’s notification setting)')
    .option('--dry-run', 'only count the audience; queue nothing')
    .action((o: { policy: string; channel?: string; dryRun?: boolean; json?: boolean }) =>
      kit.withRuntime(async (rt) => {
        const config = kit.config();
        // The keys are made here too, so `campaign start` before the first `serve` works.
        const vault = await openVerifiedVault(config, rt.store, { create: true });
        const vapid = await loadOrCreateVapidKeys({ store: rt.store, vault, dataDir: config.dataDir });
        const configured = { email: config.smtpUrl !== null, push: vapid.publicKey.length > 0 };
        const result = await startCampaign(rt.context(cliActor(io)), configured, { policy: o.policy, channel: o.channel, dryRun: !!o.dryRun });
        emit(io, !!o.json, result, () =>
          result.dryRun
            ? `dry run: policy ${result.policy} targets ${result.audience} user(s); ${result.queueable} would be notified by ${result.channel} (nothing queued)`
            : `campaign ${result.campaign.id} started: ${result.queued} recipient(s) queued (${result.campaign.channel})\n  follow it: smime-portal campaign status ${result.campaign.id} --watch`,
        );
      }),
    );

  withJson(campaign.command('status').description('per-state counts of a campaign'))
    .argument('<id>', 'campaign id')
    .option('--watch', 'redraw a live progress bar until the campaign ends')
    .option('--interval <ms>', 'refresh interval with --watch', '1000')
    .action((id: string, o: { watch?: boolean; interval: string; json?: boolean }) =>
      kit.withRuntime(async (rt) => {
        const ctx = rt.context(cliActor(io));
        let s = await campaignStatus(ctx, id);
        if (o.watch) {
          const interval = Math.max(100, Number.parseInt(o.interval, 10) || 1000);
          const tty = (io.stdout as { isTTY?: boolean }).isTTY === true;
          for (;;) {
            const line = progressLine(s.campaign, s.progress);
            io.stdout.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
            if (s.campaign.status === 'done' || s.campaign.status === 'cancelled') break;
            await new Promise((r) => setTimeout(r, interval));
            s = await campaignStatus(ctx, id);
          }
          if (tty) io.stdout.write('\n');
        }
        emit(io, !!o.json, s, () => describe(s.campaign, s.progress));
      }),
    );

  withJson(campaign.command('list').description('recent campaigns')).action((o: { json?: boolean }) =>
    kit.withRuntime(async (rt) => {
      const items = await rt.store.campaigns.listCampaigns(50);
      emit(io, !!o.json, items, () =>
        table([['ID', 'KIND', 'CHANNEL', 'STATUS', 'TOTAL', 'STARTED'], ...items.map((c) => [c.id, c.kind, c.channel, c.status, String(c.total), c.createdAt.toISOString()])]),
      );
    }),
  );

  for (const action of ['pause', 'resume', 'cancel'] as const) {
    withJson(campaign.command(action).description(`${action} a campaign`))
      .argument('<id>', 'campaign id')
      .action((id: string, o: { json?: boolean }) =>
        kit.withRuntime(async (rt) => {
          const c = await changeCampaign(rt.context(cliActor(io)), id, action);
          emit(io, !!o.json, c, () => `campaign ${c.id} is ${c.status}`);
        }),
      );
  }

  program
    .command('worker')
    .description('deliver queued notifications (any number of workers may share one PostgreSQL database)')
    .option('--concurrency <n>', 'overrides WORKER_CONCURRENCY')
    .action(async (o: { concurrency?: string }) => {
      const config = o.concurrency ? { ...kit.config(), campaigns: { ...kit.config().campaigns, concurrency: Number.parseInt(o.concurrency, 10) } } : kit.config();
      if (!(config.campaigns.concurrency >= 1)) throw new AppError('validation_failed', '--concurrency must be a positive number');
      const rt = await openRuntime(config);
      const log = (level: string, message: string, detail?: Record<string, unknown>) => io.stdout.write(`${JSON.stringify({ level, message, ...detail })}\n`);
      // The KEK must be the one the database was sealed with (set KEK alike on every machine).
      const vault = await openVerifiedVault(config, rt.store, { create: true });
      const running = startWorker(config, rt.store, rt.clock, log, await channelsFromConfig(config, { store: rt.store, vault, clock: rt.clock, log }));
      log('info', 'worker started', { worker: running.worker.id, database: rt.store.kind, email: running.delivery.configured.email });
      kit.keepRunning(async () => {
        await running.stop();
        await rt.close();
      });
    });
}
