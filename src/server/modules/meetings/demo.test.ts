import { and, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { meetingAttendance, meetings, networks, polls } from '../../../db/schema';
import { createTestApp, type TestApp } from '../../test/app';
import { loadIdentityDemo } from '../identity/demo';
import { actorFor } from './access';
import { loadMeetingsDemo } from './demo';
import { pollDetail } from './polls';
import { attendanceStats } from './stats';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await loadIdentityDemo(t.app.services);
}, 120_000);
afterAll(() => t.close());

describe('the meetings demo', () => {
  it('loads a year of monthly NorthRACE meetings with minutes and an open poll, once', async () => {
    const db = t.database.db;
    expect(await loadMeetingsDemo(t.app.services)).toMatch(/^Meetings demo loaded: \d+ NorthRACE meetings/);
    expect(await loadMeetingsDemo(t.app.services)).toBe('Meetings demo: already there; nothing was changed.');
    const [network] = await db.select().from(networks).where(eq(networks.slug, 'northrace'));
    const rows = await db.select().from(meetings).where(eq(meetings.networkId, network!.id));
    const held = rows.filter((m) => m.status === 'held');
    expect(held.length).toBeGreaterThanOrEqual(11);
    expect(held.every((m) => m.minutesStatus === 'published' && m.startsAt < new Date())).toBe(true);
    // Second Wednesday, 17:30 in London, whatever the season.
    for (const m of rows) {
      const local = new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Europe/London',
        weekday: 'long',
        hour: '2-digit',
        minute: '2-digit',
      }).format(m.startsAt);
      expect(local).toBe('Wednesday 17:30');
      expect(
        Math.ceil(
          Number(
            new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', day: 'numeric' }).format(
              m.startsAt,
            ),
          ) / 7,
        ),
      ).toBe(2);
    }
    const [present] = await db
      .select({ n: count() })
      .from(meetingAttendance)
      .where(and(eq(meetingAttendance.meetingId, held[0]!.id), eq(meetingAttendance.present, true)));
    expect(present!.n).toBeGreaterThan(0);

    const [poll] = await db
      .select()
      .from(polls)
      .where(and(eq(polls.networkId, network!.id), eq(polls.status, 'open')));
    const chair = await actorFor(db, poll!.createdBy!);
    const detail = await pollDetail(db, chair, poll!.id);
    expect(detail.respondents).toBeGreaterThan(10);
    // Students prefer the Wednesday evening, and it wins.
    expect(detail.ranking[0]).toMatchObject({ slotId: detail.slots[1]!.id, eligible: true });
    const stats = await attendanceStats(db, chair, network!.id);
    expect(stats.meetings.length).toBe(held.length);
    expect(stats.perMonth.filter((m) => m.held > 0).length).toBeGreaterThanOrEqual(11);
  });
});
