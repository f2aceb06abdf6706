import crypto from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

/**
 * Receipt codes: 20 random decimal digits, shown as five groups of four (1234-5678-9012-3456-7890).
 * The first 6 digits are a locator, stored in plain (unique) to find the report; the other 14
 * (about 46.5 bits) are stored only as an argon2id hash, and guessing is rate-limited per client.
 * The code itself is never stored and never logged.
 */
export const RECEIPT_DIGITS = 20;
export const LOCATOR_DIGITS = 6;

// argon2id, OWASP's 19 MiB, t=2, p=1 (the same as passwords).
const ARGON2_OPTIONS = { algorithm: 2 as 0 | 1 | 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export type Receipt = { code: string; locator: string; secret: string };

function randomDigits(n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += crypto.randomInt(0, 10).toString();
  return out;
}

/** `12345678901234567890` → `1234-5678-9012-3456-7890`. */
export function formatReceipt(digits: string): string {
  return digits.match(/\d{4}/g)!.join('-');
}

export function generateReceipt(): Receipt {
  const digits = randomDigits(RECEIPT_DIGITS);
  return { code: formatReceipt(digits), ...splitReceipt(digits)! };
}

/** Splits 20 digits (spaces and hyphens ignored) into locator and secret; null if malformed. */
export function splitReceipt(input: string): { locator: string; secret: string } | null {
  const digits = input.replace(/[\s-]/g, '');
  if (!/^\d{20}$/.test(digits)) return null;
  return { locator: digits.slice(0, LOCATOR_DIGITS), secret: digits.slice(LOCATOR_DIGITS) };
}

// The locator is hashed with the secret, so a hash moved to another locator does not verify.
const material = (locator: string, secret: string) => `upstander-receipt:${locator}:${secret}`;

export function hashReceiptSecret(locator: string, secret: string): Promise<string> {
  // biome-ignore lint/suspicious/noExplicitAny: the const enum cannot be imported under isolatedModules
  return hash(material(locator, secret), ARGON2_OPTIONS as any);
}

let dummyHash: Promise<string> | null = null;
/**
 * Checks a receipt's secret. With no stored hash (an unknown locator) it still spends the same
 * time, so the answer's timing does not tell a guesser which locators exist.
 */
export async function verifyReceiptSecret(
  stored: string | null,
  locator: string,
  secret: string,
): Promise<boolean> {
  if (!stored) {
    dummyHash ??= hashReceiptSecret('000000', '0'.repeat(RECEIPT_DIGITS - LOCATOR_DIGITS));
    await verify(await dummyHash, material(locator, secret)).catch(() => false);
    return false;
  }
  return verify(stored, material(locator, secret)).catch(() => false);
}

/**
 * Stores a record under a fresh receipt (speak-up reports, anonymous concerns): draws a code,
 * hashes its secret before `store` runs (argon2id is slow on purpose: keep it outside the
 * transaction), and draws again when `store` fails because the locator is taken (about 1 in a
 * million per stored receipt). The code itself exists only in what this returns.
 */
export async function storeWithFreshReceipt<T>(
  store: (receipt: { locator: string; secretHash: string; code: string }) => Promise<T>,
  isLocatorTaken: (error: unknown) => boolean,
  attempts = 5,
): Promise<{ value: T; code: string }> {
  for (let attempt = 1; ; attempt++) {
    const receipt = generateReceipt();
    const secretHash = await hashReceiptSecret(receipt.locator, receipt.secret);
    try {
      return {
        value: await store({ locator: receipt.locator, secretHash, code: receipt.code }),
        code: receipt.code,
      };
    } catch (error) {
      if (attempt < attempts && isLocatorTaken(error)) continue;
      throw error;
    }
  }
}

/**
 * The record a receipt code opens, or null, whichever part was wrong (and in the same time:
 * see verifyReceiptSecret). `lookup` finds the stored row by its locator.
 */
export async function findByReceipt<T extends { secretHash: string }>(
  code: string,
  lookup: (locator: string) => Promise<T | undefined>,
): Promise<T | null> {
  const parts = splitReceipt(code);
  if (!parts) return null;
  const row = await lookup(parts.locator);
  const ok = await verifyReceiptSecret(row?.secretHash ?? null, parts.locator, parts.secret);
  return row && ok ? row : null;
}
