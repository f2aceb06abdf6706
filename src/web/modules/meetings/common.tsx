import { type ReactNode, useEffect, useRef } from 'react';
import { Link } from 'wouter';
import type { Checkable } from '../../app/forms';
import type { NetworkDetail } from '../identity/network';

/**
 * Meetings: time formatting, labels and small components shared by the meetings pages. Times come
 * from the server as UTC instants; they are shown in the viewer's own zone and, when that reads
 * differently, in the zone the meeting or poll was planned in as well. Intl does the conversion,
 * so no date library is added to these chunks.
 */

/** The viewer's own IANA zone (what the browser says), e.g. "Europe/London". */
export const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** Zones a UK network plans in most, plus the browser's own (added by `zoneOptions`). */
const COMMON_ZONES = [
  'Europe/London',
  'Europe/Dublin',
  'Europe/Paris',
  'Europe/Berlin',
  'Europe/Athens',
  'Africa/Lagos',
  'Africa/Nairobi',
  'Asia/Dubai',
  'Asia/Karachi',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Asia/Dhaka',
  'Asia/Singapore',
  'Asia/Hong_Kong',
  'Australia/Sydney',
  'America/New_York',
  'America/Toronto',
  'America/Chicago',
  'America/Los_Angeles',
  'UTC',
];

export function zoneOptions(): { value: string; label: string }[] {
  const own = browserZone();
  const zones = COMMON_ZONES.includes(own) ? COMMON_ZONES : [own, ...COMMON_ZONES];
  return zones.map((z) => ({
    value: z,
    label: `${z.replace(/_/g, ' ')}${z === own ? ' (this device)' : ''}`,
  }));
}

const dayAndTime: Intl.DateTimeFormatOptions = {
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
};
const timeOnly: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit' };

/** "Wed 14 Jan 2026, 17:30" in the given zone (the viewer's own when omitted). */
export function formatInstant(iso: string, timeZone?: string): string {
  return new Intl.DateTimeFormat('en-GB', { ...dayAndTime, timeZone }).format(new Date(iso));
}

/** "Wed 14 Jan 2026, 17:30–19:00" in the given zone. */
export function formatSpan(iso: string, minutes: number, timeZone?: string): string {
  const end = new Date(new Date(iso).getTime() + minutes * 60_000);
  return `${formatInstant(iso, timeZone)}–${new Intl.DateTimeFormat('en-GB', { ...timeOnly, timeZone }).format(end)}`;
}

/** The abbreviation a zone goes by at an instant ("GMT", "BST", "GMT+5:45"). */
export function zoneAbbreviation(iso: string, timeZone?: string): string {
  const part = new Intl.DateTimeFormat('en-GB', { timeZone, timeZoneName: 'short' })
    .formatToParts(new Date(iso))
    .find((p) => p.type === 'timeZoneName');
  return part?.value ?? timeZone ?? '';
}

export const formatDay = (isoDate: string) =>
  new Intl.DateTimeFormat('en-GB', {
    weekday: 'short',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(`${isoDate.slice(0, 10)}T00:00:00Z`));

/**
 * When something happens, in the viewer's zone, and also in the planning zone if the clock there
 * reads differently (a member on placement abroad sees both).
 */
export function When({
  startsAt,
  minutes,
  timeZone,
}: {
  startsAt: string;
  minutes: number;
  timeZone: string;
}) {
  const local = formatSpan(startsAt, minutes);
  const planned = formatSpan(startsAt, minutes, timeZone);
  return (
    <span className="mt-when">
      <time dateTime={startsAt}>{local}</time> <span className="muted">{zoneAbbreviation(startsAt)}</span>
      {planned !== local ? (
        <span className="mt-when-other">
          {planned} {zoneAbbreviation(startsAt, timeZone)} ({timeZone.replace(/_/g, ' ')})
        </span>
      ) : null}
    </span>
  );
}

/** Where: a place, an online link, or both. */
export function Where({ place, onlineUrl }: { place: string | null; onlineUrl: string | null }) {
  if (!place && !onlineUrl) return <span className="muted">Place to be confirmed</span>;
  return (
    <span className="mt-where">
      {place ? <span>{place}</span> : null}
      {onlineUrl ? (
        <a href={onlineUrl} rel="noopener noreferrer">
          Join online<span className="vh"> ({onlineUrl})</span>
        </a>
      ) : null}
    </span>
  );
}

export const answerLabels: Record<string, string> = { yes: 'Yes', if_need_be: 'If need be', no: 'No' };
export const kindPlural: Record<string, string> = {
  student: 'Students',
  staff: 'Staff',
  alumnus: 'Alumni and fellows',
};

/** The links between the meetings pages of one network (leads see the planning pages too). */
export function MeetingsSubnav({
  slug,
  isLead,
  current,
}: {
  slug: string;
  isLead: boolean;
  current: string;
}) {
  const base = `/networks/${encodeURIComponent(slug)}/meetings`;
  const links: { href: string; label: string }[] = [
    { href: base, label: 'Meetings' },
    ...(isLead
      ? [
          { href: `/networks/${encodeURIComponent(slug)}/polls/new`, label: 'New poll' },
          { href: `${base}/series`, label: 'Series and blocks' },
        ]
      : []),
    { href: `${base}/attendance`, label: 'Attendance' },
  ];
  return (
    <nav aria-label="Meetings" className="subnav">
      <ul>
        {links.map((l) => (
          <li key={l.href}>
            <Link href={l.href} aria-current={l.href === current ? 'page' : undefined}>
              {l.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** A confirmation step for something that cannot be undone (revoke, close, confirm a slot). */
export function Confirm({
  question,
  yes,
  onYes,
  onNo,
  busy,
}: {
  question: ReactNode;
  yes: string;
  onYes: () => void;
  onNo: () => void;
  busy?: boolean;
}) {
  // The button that opened this step is gone: move focus here so keyboard users are not lost.
  const yesRef = useRef<HTMLButtonElement>(null);
  useEffect(() => yesRef.current?.focus(), []);
  return (
    <div className="confirm">
      <p>{question}</p>
      <div className="actions">
        <button
          ref={yesRef}
          type="button"
          className="button"
          onClick={onYes}
          aria-disabled={busy || undefined}
        >
          {yes}
        </button>
        <button type="button" className="button button-secondary" onClick={onNo}>
          Cancel
        </button>
      </div>
    </div>
  );
}

export type { NetworkDetail };

/** A problem found while reading a form, before the shared schema checks the rest. */
export type Issue = { path: PropertyKey[]; message: string };

/**
 * Plain-language problems found while reading the form (an empty box where a number goes) come
 * first; only without them does the shared schema check what was typed.
 */
export const withIssues = <T,>(issues: Issue[], schema: Checkable<T>): Checkable<T> => ({
  safeParse: (raw) => (issues.length ? { success: false, error: { issues } } : schema.safeParse(raw)),
});
