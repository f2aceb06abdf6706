import { type Actor, isCaseHandlerOf } from '../../platform/actor';

/**
 * Who may do what in speak-up: pure functions, deny by default. A `false` on a case becomes a
 * 404, so nobody learns that a case they may not read exists.
 *
 * - Only case handlers of the report's institution, with two-factor authentication in this
 *   session, read or handle a case. Admins and leads never do, unless they are also handlers.
 * - A handler with a conflict of interest (named in the report, or marked conflicted) does not.
 * - Aggregate statistics (suppressed) are for the institution's leads, its case handlers and admins.
 */

export type CaseAccessSubject = {
  institutionId: string;
  /** Handlers marked conflicted on this case. */
  conflictedUserIds: readonly string[];
  /** The decrypted "people involved" text (names, other role), or null if there is none. */
  peopleText: string | null;
};

/** May this person see the case queue of an institution at all? */
export function mayHandleCasesOf(actor: Actor | null, institutionId: string): boolean {
  return actor !== null && isCaseHandlerOf(actor, institutionId);
}

/** The institutions whose queue this person may see. */
export function handledInstitutions(actor: Actor | null): string[] {
  if (!actor) return [];
  return actor.caseHandlerOf.filter((id) => isCaseHandlerOf(actor, id));
}

/** A name and e-mail address a person has, or has had. */
export type Identity = { name: string; email: string };

/**
 * May this person read and handle this case? `formerIdentities`: every name and address they have
 * had (a rename never clears a conflict: the report still names the old name).
 */
export function mayReadCase(
  actor: Actor | null,
  subject: CaseAccessSubject,
  formerIdentities: readonly Identity[] = [],
): boolean {
  if (!actor || !mayHandleCasesOf(actor, subject.institutionId)) return false;
  if (subject.conflictedUserIds.includes(actor.userId)) return false;
  return !isNamedInAny(subject.peopleText, [{ name: actor.name, email: actor.email }, ...formerIdentities]);
}

/** May someone be assigned a case: a handler of its institution with no conflict, under any name they had. */
export function mayBeAssigned(
  candidate: { userId: string; name: string; email: string; handlerOf: readonly string[] },
  subject: CaseAccessSubject,
  formerIdentities: readonly Identity[] = [],
): boolean {
  if (!candidate.handlerOf.includes(subject.institutionId)) return false;
  if (subject.conflictedUserIds.includes(candidate.userId)) return false;
  return !isNamedInAny(subject.peopleText, [candidate, ...formerIdentities]);
}

/** Does the text name any of these identities? */
export function isNamedInAny(peopleText: string | null, identities: readonly Identity[]): boolean {
  return identities.some((identity) => isNamedIn(peopleText, identity));
}

/** Suppressed statistics: the institution's leads and case handlers, and admins. Never a single case. */
export function mayViewStatistics(actor: Actor | null, institutionId: string): boolean {
  if (!actor) return false;
  if (actor.isAdmin) return true;
  if (actor.memberships.some((m) => m.institutionId === institutionId && m.role === 'lead')) return true;
  return isCaseHandlerOf(actor, institutionId);
}

/** Managing the institution's support contacts and placement providers: admins. */
export function mayManageSpeakUpSettings(actor: Actor | null): boolean {
  return actor?.isAdmin === true;
}

// ---- conflict of interest -------------------------------------------------------------------------

const TITLES = ['dr', 'doctor', 'mr', 'mrs', 'ms', 'miss', 'mx', 'prof', 'professor', 'sister', 'nurse'];

/** Lower case, accents removed, anything but letters and digits turned into single spaces. */
export function normaliseForMatching(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/**
 * Does the free text about the people involved name this person? Matched on whole words: the
 * full name (either order), "title + surname" (Dr Adeyemi), the e-mail address and its local
 * part (helen.adeyemi). Erring towards a match is safe: another handler takes the case.
 */
export function isNamedIn(peopleText: string | null, person: { name: string; email: string }): boolean {
  if (!peopleText) return false;
  const words = ` ${normaliseForMatching(peopleText)} `;
  const parts = normaliseForMatching(person.name).split(' ').filter(Boolean);
  const phrases = new Set<string>();
  // A one-word name is too common to match on its own; the e-mail address still matches.
  if (parts.length >= 2) {
    const first = parts[0]!;
    const last = parts[parts.length - 1]!;
    // A double-barrelled or multi-part surname (Lewis-Grant, van der Berg) and its last part.
    const surnames = new Set([last, parts.slice(1).join(' ')]);
    phrases.add(parts.join(' '));
    for (const surname of surnames) {
      phrases.add(`${first} ${surname}`);
      phrases.add(`${surname} ${first}`);
      for (const title of TITLES) phrases.add(`${title} ${surname}`);
    }
  }
  for (const phrase of phrases) if (words.includes(` ${phrase} `)) return true;
  const email = person.email.toLowerCase().trim();
  const raw = peopleText.normalize('NFKC').toLowerCase();
  if (email && raw.includes(email)) return true;
  const local = email.split('@')[0] ?? '';
  if (local.length < 4) return false;
  return raw.split(/[\s,;:()<>[\]"'/]+/).some((token) => token.replace(/[.!?]+$/, '') === local);
}
