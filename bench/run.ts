/**
 * `npm run bench`: every benchmark, one after the other, each printing its figures and ratios
 * against baselines measured in the same run. Areas add their benchmark to the list.
 */
import { benchCampaign } from './campaign.ts';
import { benchPkcs12Import } from './pkcs12-import.ts';
import { benchScep } from './scep.ts';

const benches: [string, (print: (line: string) => void) => Promise<void>][] = [
  ['campaign', benchCampaign],
  ['pkcs12-import', benchPkcs12Import],
  ['scep', benchScep],
];

for (const [name, run] of benches) {
  console.log(`\n== ${name} ==`);
  await run((line) => console.log(line));
}
