// The web build resolves `zod` to this file (vite.config.ts): zod is configured jitless before any
// schema is built, because each object schema decides at construction whether to probe for
// `new Function`, and that probe is a CSP violation under our script-src 'self'.
import { config } from 'zod/v4';

config({ jitless: true });

export * from 'zod/v4';
export { default, z } from 'zod/v4';
