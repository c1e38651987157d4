import { openTestSqlite } from '../support/databases.ts';
import { defineDeviceDomainSuite } from './device-domain-suite.ts';

defineDeviceDomainSuite('SQLite', openTestSqlite);
