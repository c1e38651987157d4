#!/usr/bin/env node
// The server runs its TypeScript directly through tsx's loader (no separate compile step).
import { register } from 'tsx/esm/api';

register();
await import('../server/src/main.ts');
