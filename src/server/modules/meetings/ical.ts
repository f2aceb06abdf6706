import ical, {
  ICalAttendeeRole,
  ICalAttendeeStatus,
  ICalCalendarMethod,
  ICalEventStatus,
} from 'ical-generator';

/**
 * iCalendar output (RFC 5545 / iTIP RFC 5546) with ical-generator. One UID per meeting for its
 * whole life; SEQUENCE goes up with every change that is sent out, so calendars replace the old
 * copy; a cancellation is METHOD:CANCEL with STATUS:CANCELLED. Times are written in UTC (`…Z`),
 * which every client reads without needing a VTIMEZONE.
 */

const PROD_ID = { company: 'Upstander', product: 'Meetings', language: 'EN' };

export type CalendarMeeting = {
  uid: string;
  sequence: number;
  title: string;
  startsAt: Date;
  durationMinutes: number;
  place: string | null;
  onlineUrl: string | null;
  cancelled: boolean;
  /** The meeting's page in the app. */
  url: string;
  /** Plain text: the agenda, the link. */
  description: string;
};

export type Person = { name: string; email: string };

function addEvent(
  calendar: ReturnType<typeof ical>,
  meeting: CalendarMeeting,
  now: Date,
  people?: { organizer: Person; attendees: Person[] },
) {
  const event = calendar.createEvent({
    id: meeting.uid,
    sequence: meeting.sequence,
    stamp: now,
    start: meeting.startsAt,
    end: new Date(meeting.startsAt.getTime() + meeting.durationMinutes * 60_000),
    summary: meeting.title,
    description: meeting.description,
    location: meeting.place ?? meeting.onlineUrl ?? null,
    url: meeting.onlineUrl ?? meeting.url,
    status: meeting.cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
  });
  if (people) {
    event.organizer({ name: people.organizer.name, email: people.organizer.email });
    for (const attendee of people.attendees) {
      event.createAttendee({
        name: attendee.name,
        email: attendee.email,
        role: ICalAttendeeRole.REQ,
        status: ICalAttendeeStatus.NEEDSACTION,
        rsvp: false,
      });
    }
  }
}

/**
 * An invitation or its update (METHOD:REQUEST), or a cancellation (METHOD:CANCEL), addressed to
 * one person: each e-mail names only its own recipient, so invitees never see each other's address.
 */
export function buildInvitation(
  method: 'REQUEST' | 'CANCEL',
  meeting: CalendarMeeting,
  organizer: Person,
  attendee: Person,
  now: Date,
): string {
  const calendar = ical({
    prodId: PROD_ID,
    method: method === 'REQUEST' ? ICalCalendarMethod.REQUEST : ICalCalendarMethod.CANCEL,
  });
  addEvent(calendar, { ...meeting, cancelled: method === 'CANCEL' || meeting.cancelled }, now, {
    organizer,
    attendees: [attendee],
  });
  return withFinalCrlf(calendar.toString());
}

/** RFC 5545 §3.1: every content line ends with CRLF, the last (END:VCALENDAR) included. */
export function withFinalCrlf(text: string): string {
  return text.endsWith('\r\n') ? text : `${text}\r\n`;
}

/** A calendar to download or subscribe to (METHOD:PUBLISH): no organizer, no attendees. */
export function buildPublishedCalendar(name: string, meetings: CalendarMeeting[], now: Date): string {
  const calendar = ical({ prodId: PROD_ID, method: ICalCalendarMethod.PUBLISH, name, ttl: 3600 });
  for (const meeting of meetings) addEvent(calendar, meeting, now);
  return withFinalCrlf(calendar.toString());
}

/** `Upstander <no-reply@x>` → { name, email }: the organizer of invitations is the sender address. */
export function parseMailbox(from: string): Person {
  const match = /^\s*"?([^"<]*?)"?\s*<([^>]+)>\s*$/.exec(from);
  if (match) return { name: match[1]!.trim() || match[2]!, email: match[2]!.trim() };
  return { name: from.trim(), email: from.trim() };
}
