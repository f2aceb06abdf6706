import crypto from 'node:crypto';

/**
 * Case references that reveal nothing: random, not numbered, so a handler who sees R-7KQM-4XP2 and
 * R-9FHT-2WCN cannot tell how many reports came between them, or that any exist they may not see.
 * Eight characters from 32 that are hard to confuse (no 0/O, 1/I), in two groups of four: about
 * 10^12 possibilities, so a school's references collide almost never; the unique index on
 * (institution, reference) catches the rare repeat and the caller draws again.
 */

export const REFERENCE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
export const REFERENCE_PATTERN = /^R-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/;

export function newReference(): string {
  const bytes = crypto.randomBytes(8);
  const chars = [...bytes].map((b) => REFERENCE_ALPHABET[b & 31]!);
  return `R-${chars.slice(0, 4).join('')}-${chars.slice(4).join('')}`;
}
