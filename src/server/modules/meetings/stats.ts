import { and, asc, eq, ne, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client';
import { meetingAttendance, meetings } from '../../../db/schema';
import type { AttendanceStats } from '../../../shared/meetings/schema';
import type { Actor } from '../../platform/actor';
import { assertSees, loadNetwork } from './access';
import { monthOf, monthsBetween } from './time';

/**
 * Attendance over time: people present by membership kind (as it was at the meeting) per held
 * meeting, and meetings held per month since the network began (months without one count 0).
 * Months are counted in each meeting's own zone.
 */
export async function attendanceStats(
  db: Db,
  actor: Actor | null,
  networkId: string,
  now = new Date(),
): Promise<AttendanceStats> {
  assertSees(actor, networkId, 'That network');
  const network = await loadNetwork(db, networkId);
  const held = await db
    .select({
      id: meetings.id,
      title: meetings.title,
      startsAt: meetings.startsAt,
      timeZone: meetings.timeZone,
      student: sql<number>`count(*) filter (where ${meetingAttendance.present} and ${meetingAttendance.kind} = 'student')::int`,
      staff: sql<number>`count(*) filter (where ${meetingAttendance.present} and ${meetingAttendance.kind} = 'staff')::int`,
      alumnus: sql<number>`count(*) filter (where ${meetingAttendance.present} and ${meetingAttendance.kind} = 'alumnus')::int`,
      recorded: sql<number>`count(${meetingAttendance.userId})::int`,
    })
    .from(meetings)
    .leftJoin(meetingAttendance, eq(meetingAttendance.meetingId, meetings.id))
    .where(
      and(
        eq(meetings.networkId, networkId),
        ne(meetings.status, 'cancelled'),
        sql`${meetings.startsAt} <= ${now}`,
      ),
    )
    .groupBy(meetings.id)
    .orderBy(asc(meetings.startsAt));
  const zone = held[0]?.timeZone ?? 'UTC';
  const first = [network.createdAt, ...held.map((m) => m.startsAt)].reduce((a, b) => (a < b ? a : b));
  const perMonth = new Map(monthsBetween(monthOf(first, zone), monthOf(now, zone)).map((m) => [m, 0]));
  for (const m of held) {
    const month = monthOf(m.startsAt, m.timeZone);
    perMonth.set(month, (perMonth.get(month) ?? 0) + 1);
  }
  return {
    meetings: held
      .filter((m) => m.recorded > 0)
      .map((m) => ({
        meetingId: m.id,
        title: m.title,
        startsAt: m.startsAt.toISOString(),
        student: m.student,
        staff: m.staff,
        alumnus: m.alumnus,
        total: m.student + m.staff + m.alumnus,
      })),
    perMonth: [...perMonth.entries()]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([month, n]) => ({ month, held: n })),
  };
}
