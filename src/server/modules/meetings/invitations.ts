import { and, asc, eq, inArray, isNull, type SQL, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client';
import {
  agendaItems,
  concerns,
  meetingInvitees,
  type meetings,
  memberships,
  users,
} from '../../../db/schema';
import type { Services } from '../../platform/services';
import { meetingLink } from './access';
import { buildInvitation, type CalendarMeeting, parseMailbox } from './ical';
import { describeInstant } from './time';

/**
 * Invitations, updates and cancellations by e-mail, each with its iCalendar file. Queued in the
 * caller's transaction (the outbox), so mail exists exactly when the change does.
 */

export type MeetingRow = typeof meetings.$inferSelect;

/** The meeting as calendars see it, with the agenda in the description. */
export function calendarMeetingOf(
  meeting: MeetingRow,
  publicUrl: string,
  networkName: string,
  agenda: string[],
): CalendarMeeting {
  const url = `${publicUrl}${meetingLink(meeting.id)}`;
  const lines = [`${networkName} meeting.`];
  if (agenda.length > 0) lines.push('', 'Agenda:', ...agenda.map((title, i) => `${i + 1}. ${title}`));
  if (meeting.onlineUrl) lines.push('', `Join online: ${meeting.onlineUrl}`);
  lines.push('', `Details: ${url}`);
  return {
    uid: meeting.icalUid,
    sequence: meeting.sequence,
    title: meeting.title,
    startsAt: meeting.startsAt,
    durationMinutes: meeting.durationMinutes,
    place: meeting.place,
    onlineUrl: meeting.onlineUrl,
    cancelled: meeting.status === 'cancelled',
    url,
    description: lines.join('\n'),
  };
}

/** What a hidden concern is called on agendas, invitations, updates, `.ics` files and feeds. */
export const HIDDEN_CONCERN_TITLE = 'A hidden concern';

/**
 * An agenda item's title wherever it is shown (the query must left-join `concerns` on the item's
 * concern): an item about a concern the leads have hidden does not carry its title, and one about a
 * concern carries its current title (an earlier wording its author corrected is not kept here).
 */
export const agendaTitleSql: SQL<string> = sql<string>`case when ${concerns.hiddenAt} is not null then ${HIDDEN_CONCERN_TITLE} else coalesce(${concerns.title}, ${agendaItems.title}) end`;

export async function agendaTitles(db: Db | Tx, meetingId: string): Promise<string[]> {
  const rows = await db
    .select({ title: agendaTitleSql })
    .from(agendaItems)
    .leftJoin(concerns, eq(concerns.id, agendaItems.concernId))
    .where(eq(agendaItems.meetingId, meetingId))
    .orderBy(asc(agendaItems.position));
  return rows.map((r) => r.title);
}

export type InvitationKind = 'invitation' | 'update' | 'cancellation';

const SUBJECT: Record<InvitationKind, string> = {
  invitation: 'Invitation',
  update: 'Updated',
  cancellation: 'Cancelled',
};

/**
 * The invitation's ORGANIZER: the co-chair who confirmed or created the meeting, so that calendar
 * replies (accept, decline) reach a person. A meeting made by a job, or whose creator has left or
 * been disabled, falls back to the network under the sender address.
 */
async function organizerOf(tx: Tx, meeting: MeetingRow, mailFrom: string, networkName: string) {
  if (meeting.createdBy) {
    const [creator] = await tx
      .select({ name: users.name, email: users.email })
      .from(users)
      .where(and(eq(users.id, meeting.createdBy), isNull(users.disabledAt)));
    if (creator) return { name: `${creator.name} (${networkName})`, email: creator.email };
  }
  return { ...parseMailbox(mailFrom), name: networkName };
}

/**
 * E-mails the meeting's invitees (or just `onlyUserIds`) an invitation or update (METHOD:REQUEST)
 * or a cancellation (METHOD:CANCEL): those still members of the network, with active accounts
 * (someone removed learns no new room, link or agenda). Returns how many were queued.
 */
export async function mailInvitees(
  tx: Tx,
  services: Pick<Services, 'mailer' | 'config'>,
  meeting: MeetingRow,
  networkName: string,
  kind: InvitationKind,
  now: Date,
  onlyUserIds?: string[],
): Promise<number> {
  const people = await tx
    .select({ name: users.name, email: users.email })
    .from(meetingInvitees)
    .innerJoin(users, eq(users.id, meetingInvitees.userId))
    .innerJoin(
      memberships,
      and(eq(memberships.userId, meetingInvitees.userId), eq(memberships.networkId, meeting.networkId)),
    )
    .where(
      and(
        eq(meetingInvitees.meetingId, meeting.id),
        isNull(users.disabledAt),
        onlyUserIds ? inArray(meetingInvitees.userId, onlyUserIds) : undefined,
      ),
    );
  if (people.length === 0) return 0;
  const agenda = await agendaTitles(tx, meeting.id);
  const calendar = calendarMeetingOf(meeting, services.config.publicUrl, networkName, agenda);
  const organizer = await organizerOf(tx, meeting, services.config.mailFrom, networkName);
  const method = kind === 'cancellation' ? 'CANCEL' : 'REQUEST';
  const when = describeInstant(meeting.startsAt, meeting.timeZone);
  const where = meeting.place ?? (meeting.onlineUrl ? 'Online' : 'To be confirmed');
  const opening: Record<InvitationKind, string> = {
    invitation: `You are invited to ${meeting.title} (${networkName}).`,
    update: `${meeting.title} (${networkName}) has changed. The details below replace the earlier ones.`,
    cancellation: `${meeting.title} (${networkName}) on ${when} is cancelled.`,
  };
  const text =
    kind === 'cancellation'
      ? `${opening.cancellation}\n\n${calendar.url}`
      : [
          opening[kind],
          '',
          `When: ${when}, ${meeting.durationMinutes} minutes`,
          `Where: ${where}`,
          ...(meeting.onlineUrl ? [`Online: ${meeting.onlineUrl}`] : []),
          ...(agenda.length > 0 ? ['', 'Agenda:', ...agenda.map((t, i) => `${i + 1}. ${t}`)] : []),
          '',
          `The calendar file attached adds it to your calendar. Details: ${calendar.url}`,
        ].join('\n');
  for (const person of people) {
    await services.mailer.queue(tx as unknown as Db, {
      personal: true,
      to: person.email,
      subject: `${SUBJECT[kind]}: ${meeting.title}, ${when}`,
      text,
      attachments: [
        {
          filename: kind === 'cancellation' ? 'cancel.ics' : 'invite.ics',
          contentType: `text/calendar; charset=utf-8; method=${method}`,
          content: buildInvitation(method, calendar, organizer, person, now),
        },
      ],
    });
  }
  return people.length;
}
