/**
 * `npm run bench`: every benchmark, one after the other, each printing its figures and ratios
 * against baselines measured in the same run. Areas add their benchmark to the list.
 */
import { benchCampaign } from './campaign.ts';
import { benchPkcs12Import } from './pkcs12-import.ts';
import { benchPushClient } from './push-client.ts';
import { benchRetrieval } from './retrieval.ts';
import { benchScep } from './scep.ts';
import { benchWebBudgets } from './web-budgets.ts';

const benches: [string, (print: (line: string) => void) => Promise<void>][] = [
  ['campaign', benchCampaign],
  ['push-client', benchPushClient],
  ['pkcs12-import', benchPkcs12Import],
  ['scep', benchScep],
  ['retrieval', benchRetrieval],
  ['web-budgets', benchWebBudgets],
];

// `npm run bench -- scep web-budgets` runs just those; no names runs every benchmark.
const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !benches.some(([name]) => name === w));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; known: ${benches.map(([n]) => n).join(', ')}`);
  process.exit(2);
}

for (const [name, run] of benches.filter(([n]) => wanted.length === 0 || wanted.includes(n))) {
  console.log(`\n== ${name} ==`);
  await run((line) => console.log(line));
}
