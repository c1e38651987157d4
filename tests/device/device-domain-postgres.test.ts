import { describe } from 'vitest';
import { openTestPostgres, postgresUnavailable } from '../support/databases.ts';
import { defineDeviceDomainSuite } from './device-domain-suite.ts';

// Skips (saying why) only outside CI; under CI an unreachable PostgreSQL fails the run.
const unavailable = await postgresUnavailable();
describe.skipIf(unavailable !== null)('PostgreSQL', () => {
  defineDeviceDomainSuite('PostgreSQL', openTestPostgres);
});
