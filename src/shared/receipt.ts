import { z } from 'zod';

/**
 * A receipt code, as a reporter types it back: 20 digits in five groups of four; spaces and
 * hyphens are ignored. Shared by speak-up reports and anonymous concerns (server/platform/receipt.ts).
 */
export const ReceiptCode = z
  .string({ error: 'Enter your receipt code.' })
  .max(64, 'A receipt code is 20 digits, like 1234-5678-9012-3456-7890.')
  .transform((v) => v.replace(/[\s-]/g, ''))
  .pipe(z.string().regex(/^\d{20}$/, 'A receipt code is 20 digits, like 1234-5678-9012-3456-7890.'));
