import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startScepHarness } from '../tests/interop/scep-harness.ts';
const h = await startScepHarness({ allowLegacyDes: true });
for (let i = 0; i < 4; i++) {
  const d = mkdtempSync(join(tmpdir(), 'h-'));
  execFileSync('openssl', ['genrsa', '-traditional', '-out', join(d, 'k.pem'), '2048'], { stdio: 'ignore' });
  h.challenges.set(`c${i}`, { email: `a${i}@example.org` });
  const out = execFileSync('scepclient', ['-server-url', h.url, '-private-key', join(d, 'k.pem'), '-certificate', join(d, 'c.pem'), '-challenge', `c${i}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  console.log(out.match(/op=PKIOperation.*took=\S+/g));
}
await h.close();
