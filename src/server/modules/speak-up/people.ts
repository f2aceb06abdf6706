import type { reports } from '../../../db/schema';
import type { ReportKey } from './report-crypto';

/**
 * "Who was involved" in a report: sealed with the report's key, read by case handling and by the
 * conflict-of-interest checks (its own file, so reports.ts and conflicts.ts need not import each other).
 */

/** Sealed as `people`: what identifies anyone involved. */
export type PeopleSealed = { names: string | null; otherRole: string | null };

/** The plain text of "who was involved" that conflict-of-interest checks read. */
export function peopleText(people: PeopleSealed | null): string | null {
  if (!people) return null;
  const text = [people.names, people.otherRole].filter(Boolean).join('\n');
  return text || null;
}

export function openPeople(
  key: ReportKey | null,
  row: Pick<typeof reports.$inferSelect, 'peopleSealed'>,
): PeopleSealed | null {
  return key && row.peopleSealed ? key.openJson<PeopleSealed>('people', row.peopleSealed) : null;
}
