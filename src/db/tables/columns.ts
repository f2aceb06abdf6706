import { customType, timestamp } from 'drizzle-orm/pg-core';

/** Column helpers every module's tables use (not tables themselves: schema.ts does not export this file). */

/** An instant, stored as timestamptz and read as a Date. */
export const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/** When the row was made. */
export const createdAt = () => ts('created_at').notNull().defaultNow();

/** Raw bytes (PostgreSQL bytea), as a Buffer. */
export const bytea = customType<{ data: Buffer; driverData: Buffer | Uint8Array }>({
  dataType: () => 'bytea',
  fromDriver: (value) => (Buffer.isBuffer(value) ? value : Buffer.from(value)),
});
