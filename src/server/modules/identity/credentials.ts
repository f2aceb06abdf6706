import { hash, verify } from '@node-rs/argon2';
import * as OTPAuth from 'otpauth';
import QRCode from 'qrcode';

// argon2id (Algorithm.Argon2id = 2; the enum is `const` in the typings) with OWASP's 19 MiB, t=2, p=1.
const ARGON2_OPTIONS = { algorithm: 2 as 0 | 1 | 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export function hashPassword(password: string): Promise<string> {
  // biome-ignore lint/suspicious/noExplicitAny: the const enum cannot be imported under isolatedModules
  return hash(password, ARGON2_OPTIONS as any);
}

let dummyHash: Promise<string> | null = null;
/** Verifies a password; with no stored hash it still spends the same time, so timing reveals no account. */
export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  if (!stored) {
    dummyHash ??= hashPassword('upstander-timing-equaliser');
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  return verify(stored, password).catch(() => false);
}

const TOTP_PERIOD = 30;

export function newTotpSecret(): string {
  return new OTPAuth.Secret({ size: 20 }).base32;
}

export function totpUri(secret: string, email: string): string {
  return new OTPAuth.TOTP({
    issuer: 'Upstander',
    label: email,
    secret: OTPAuth.Secret.fromBase32(secret),
    period: TOTP_PERIOD,
  }).toString();
}

export async function totpQrSvg(uri: string): Promise<string> {
  return QRCode.toString(uri, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
}

/** The current code for a secret (tests, and the demo's helper). */
export function totpNow(secret: string, at = Date.now()): string {
  return OTPAuth.TOTP.generate({
    secret: OTPAuth.Secret.fromBase32(secret),
    period: TOTP_PERIOD,
    timestamp: at,
  });
}

/**
 * Checks a code with one step of clock drift either way and returns its time step, or null.
 * The caller refuses a step it has seen before, so an overheard code cannot be replayed.
 */
export function matchTotp(
  secret: string,
  code: string,
  lastStep: number | null,
  at = Date.now(),
): number | null {
  const delta = OTPAuth.TOTP.validate({
    token: code,
    secret: OTPAuth.Secret.fromBase32(secret),
    period: TOTP_PERIOD,
    timestamp: at,
    window: 1,
  });
  if (delta === null) return null;
  const step = Math.floor(at / 1000 / TOTP_PERIOD) + delta;
  if (lastStep !== null && step <= lastStep) return null;
  return step;
}
