import { openTestSqlite } from '../support/databases.ts';
import { defineStoreContract } from './store-contract.ts';

defineStoreContract('SQLite', openTestSqlite);
