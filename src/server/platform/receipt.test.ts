import { describe, expect, it } from 'vitest';
import { ReceiptCode } from '../../shared/receipt';
import {
  formatReceipt,
  generateReceipt,
  hashReceiptSecret,
  splitReceipt,
  verifyReceiptSecret,
} from './receipt';

describe('receipt codes', () => {
  it('are 20 random digits in five groups of four', () => {
    const codes = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const r = generateReceipt();
      expect(r.code).toMatch(/^\d{4}-\d{4}-\d{4}-\d{4}-\d{4}$/);
      expect(r.locator).toBe(r.code.replace(/-/g, '').slice(0, 6));
      expect(r.secret).toBe(r.code.replace(/-/g, '').slice(6));
      codes.add(r.code);
    }
    expect(codes.size).toBe(200);
    // Every digit turns up in every position over many codes (no biased alphabet).
    const seen = new Set(Array.from(codes, (c) => c[0]));
    expect(seen.size).toBeGreaterThan(5);
    expect(formatReceipt('12345678901234567890')).toBe('1234-5678-9012-3456-7890');
  });

  it('are read with or without hyphens and spaces, and malformed ones are refused', () => {
    expect(splitReceipt('1234-5678-9012-3456-7890')).toEqual({ locator: '123456', secret: '78901234567890' });
    expect(splitReceipt(' 1234 5678 9012 3456 7890 ')).toEqual({
      locator: '123456',
      secret: '78901234567890',
    });
    expect(splitReceipt('1234-5678-9012-3456-789')).toBeNull();
    expect(splitReceipt('1234-5678-9012-3456-789x')).toBeNull();
    expect(ReceiptCode.safeParse('1234 5678-9012 3456-7890').data).toBe('12345678901234567890');
    const bad = ReceiptCode.safeParse('1234');
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]!.message).toMatch(/20 digits/);
  });

  it('verify only against their own hash, bound to the locator', async () => {
    const r = generateReceipt();
    const stored = await hashReceiptSecret(r.locator, r.secret);
    expect(stored).toMatch(/^\$argon2id\$/);
    expect(stored).not.toContain(r.secret);
    expect(await verifyReceiptSecret(stored, r.locator, r.secret)).toBe(true);
    const wrong = r.secret.replace(/.$/, (d) => String((Number(d) + 1) % 10));
    expect(await verifyReceiptSecret(stored, r.locator, wrong)).toBe(false);
    expect(await verifyReceiptSecret(stored, '000000', r.secret)).toBe(false);
    expect(await verifyReceiptSecret(null, r.locator, r.secret)).toBe(false);
  });
});
