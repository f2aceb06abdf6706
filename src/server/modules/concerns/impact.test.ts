import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xml2js } from 'xml-js';
import { concerns, mailOutbox, notificationPreferences } from '../../../db/schema';
import type { Dashboard, ImpactBoard, ImpactStory } from '../../../shared/concerns/schema';
import { runJobSlot } from '../../platform/jobs';
import { createTestApp, type TestApp } from '../../test/app';
import { createActionTx } from './actions';
import { concernsDashboard } from './dashboard';
import { WEEKLY_DIGEST_JOB, weeklyDigestJob } from './jobs';
import { buildConcernsCast, signedIn, validConcern } from './testing';
import { postActionUpdate } from './triage';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());
const db = () => t.database.db;

/** A network with one completed public action (two concerns behind it, one hidden) and one private one. */
async function boardCast() {
  const cast = await buildConcernsCast(t);
  const chair = await signedIn(t, cast.people.chair.id);
  const author = await signedIn(t, cast.people.student.id);
  const raise = async (title: string) =>
    (
      await author.post(
        `/api/networks/${cast.network.id}/concerns`,
        validConcern({ title, category: 'curriculum' }),
      )
    ).json().id as string;
  const shown = await raise('Jaundice taught only on white skin');
  const hidden = await raise('A concern the leads hid later');
  const accept = async (id: string, body: Record<string, unknown>) =>
    (
      await chair.post(`/api/concerns/${id}/triage`, {
        status: 'accepted',
        answer: 'We will change the teaching.',
        ...body,
      })
    ).json().actionId as string;
  const actionId = await accept(shown, {
    newAction: {
      title: 'Teach jaundice and cyanosis on black and brown skin',
      summary: 'New images and a session in year 2.',
      studentLeadId: cast.people.student2.id,
      staffSponsorId: cast.people.staff.id,
    },
  });
  await accept(hidden, { existingActionId: actionId });
  await chair.post(`/api/concerns/${hidden}/hide`, { reason: 'Contained a name' });
  await chair.post(`/api/actions/${actionId}/updates`, {
    body: 'Image bank of 40 photographs agreed.',
    progress: 50,
  });
  await chair.post(`/api/actions/${actionId}/updates`, {
    body: 'Session taught to all of year 2.',
    status: 'completed',
  });
  const privateAction = await chair.post(`/api/networks/${cast.network.id}/actions`, {
    title: 'An internal action not for the board',
    category: 'curriculum',
    studentLeadId: cast.people.student2.id,
    staffSponsorId: cast.people.staff.id,
    public: false,
  });
  await chair.post(`/api/actions/${privateAction.json().id}/updates`, {
    body: 'Started quietly.',
    progress: 10,
  });
  return { cast, chair, actionId, privateId: privateAction.json().id as string };
}

describe('the public impact board', () => {
  it('shows public actions in progress or completed, readable signed out, with a story that names no one without consent', async () => {
    const { cast, actionId, privateId } = await boardCast();
    const visitor = t.client();
    const board = await visitor.get(`/api/impact?network=${cast.network.slug}`);
    expect(board.statusCode).toBe(200);
    const items = (board.json() as ImpactBoard).items;
    expect(items.map((i) => i.id)).toEqual([actionId]);
    expect(items[0]).toMatchObject({
      status: 'completed',
      progress: 100,
      concernCount: 1,
      category: 'curriculum',
    });
    const year = new Date().getUTCFullYear();
    expect((board.json() as ImpactBoard).years).toContain(year);
    expect(
      (
        (
          await visitor.get(`/api/impact?network=${cast.network.slug}&status=in_progress`)
        ).json() as ImpactBoard
      ).total,
    ).toBe(0);
    expect(
      ((await visitor.get(`/api/impact?network=${cast.network.slug}&category=policy`)).json() as ImpactBoard)
        .total,
    ).toBe(0);
    expect(
      ((await visitor.get(`/api/impact?network=${cast.network.slug}&year=${year - 1}`)).json() as ImpactBoard)
        .total,
    ).toBe(0);
    expect((await visitor.get('/api/impact?network=no-such-network')).statusCode).toBe(404);
    expect((await visitor.get('/api/impact?year=banana')).statusCode).toBe(400);

    const storyResponse = await visitor.get(`/api/impact/actions/${actionId}`);
    expect(storyResponse.statusCode).toBe(200);
    const story = storyResponse.json() as ImpactStory;
    expect(story.raised.map((r) => r.title)).toEqual(['Jaundice taught only on white skin']);
    expect(story.updates.map((u) => u.body)).toEqual([
      'Image bank of 40 photographs agreed.',
      'Session taught to all of year 2.',
    ]);
    expect(story.people).toEqual({
      studentLead: 'A student lead from the network',
      staffSponsor: 'A staff sponsor from the school',
    });
    for (const p of Object.values(cast.people)) expect(storyResponse.body).not.toContain(p.name);
    expect((await visitor.get(`/api/impact/actions/${privateId}`)).statusCode).toBe(404);

    const lead = await signedIn(t, cast.people.student2.id);
    await lead.post(`/api/actions/${actionId}/consent`, { named: true });
    const named = (await visitor.get(`/api/impact/actions/${actionId}`)).json() as ImpactStory;
    expect(named.people).toEqual({
      studentLead: cast.people.student2.name,
      staffSponsor: 'A staff sponsor from the school',
    });
  });

  it('publishes an Atom feed that parses, with an entry per action on the board', async () => {
    const { cast, actionId } = await boardCast();
    const r = await t.client().get(`/api/impact/feed.atom?network=${cast.network.slug}`);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('application/atom+xml');
    type El = { name?: string; elements?: El[]; text?: string; attributes?: Record<string, string> };
    const doc = xml2js(r.body, { compact: false }) as El;
    const feed = doc.elements!.find((e) => e.name === 'feed')!;
    expect(feed.attributes!.xmlns).toBe('http://www.w3.org/2005/Atom');
    const entries = feed.elements!.filter((e) => e.name === 'entry');
    expect(entries).toHaveLength(1);
    const field = (e: El, name: string) => e.elements!.find((x) => x.name === name)!;
    expect(field(entries[0]!, 'id').elements![0]!.text).toBe(`http://localhost:3000/impact/${actionId}`);
    expect(JSON.stringify(field(entries[0]!, 'title'))).toContain(
      'Teach jaundice and cyanosis on black and brown skin',
    );
    for (const p of Object.values(cast.people)) expect(r.body).not.toContain(p.name);
  });
});

describe('the co-chairs’ dashboard and digest', () => {
  it('shows overdue concerns and stale actions at a fixed time, with small counts suppressed; leads only', async () => {
    const cast = await buildConcernsCast(t);
    const author = await signedIn(t, cast.people.student.id);
    const chair = await signedIn(t, cast.people.chair.id);
    const id = (await author.post(`/api/networks/${cast.network.id}/concerns`, validConcern())).json()
      .id as string;
    const [row] = await db().select().from(concerns).where(eq(concerns.id, id));
    const t0 = row!.createdAt;
    const action = await db().transaction((tx) =>
      createActionTx(
        tx,
        chair.actor,
        cast.network.id,
        {
          title: 'Art exhibition on inclusion',
          summary: '',
          category: 'culture',
          studentLeadId: cast.people.student.id,
          staffSponsorId: cast.people.staff.id,
          weight: 1,
          public: true,
        },
        t0,
      ),
    );
    const at = (days: number) => new Date(t0.getTime() + days * 86_400_000);
    const early = await concernsDashboard(db(), chair.actor, cast.network.id, 3, at(1));
    expect(early.overdueConcerns).toHaveLength(0);
    expect(early.staleActions).toHaveLength(0);
    expect(early.months.at(-1)!.raised).toEqual({ value: null, display: 'fewer than 5', suppressed: true });
    const late = await concernsDashboard(db(), chair.actor, cast.network.id, 3, at(61));
    expect(late.overdueConcerns).toEqual([expect.objectContaining({ id, daysOverdue: 47 })]);
    expect(late.staleActions).toEqual([expect.objectContaining({ id: action.id, daysStale: 1 })]);

    const viaRoute = await chair.get(`/api/networks/${cast.network.id}/concerns/dashboard`);
    expect(viaRoute.statusCode).toBe(200);
    expect((viaRoute.json() as Dashboard).months).toHaveLength(12);
    expect((await author.get(`/api/networks/${cast.network.id}/concerns/dashboard`)).statusCode).toBe(403);

    // Shorter clocks make it overdue sooner.
    expect(
      (
        await chair.put(`/api/networks/${cast.network.id}/concerns/settings`, {
          firstAnswerDays: 0,
          actionUpdateDays: 30,
        })
      ).statusCode,
    ).toBe(400);
    expect(
      (
        await author.put(`/api/networks/${cast.network.id}/concerns/settings`, {
          firstAnswerDays: 7,
          actionUpdateDays: 30,
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (
        await chair.put(`/api/networks/${cast.network.id}/concerns/settings`, {
          firstAnswerDays: 7,
          actionUpdateDays: 30,
        })
      ).statusCode,
    ).toBe(200);
    const sooner = await concernsDashboard(db(), chair.actor, cast.network.id, 3, at(31));
    expect(sooner.staleActions).toHaveLength(1);
    expect(sooner.clocks).toEqual({ firstAnswerDays: 7, actionUpdateDays: 30 });
    await db().transaction((tx) =>
      postActionUpdate(tx, chair.actor, action.id, { body: 'Venue booked.' }, { now: at(31) }),
    );
    expect(
      (await concernsDashboard(db(), chair.actor, cast.network.id, 3, at(32))).staleActions,
    ).toHaveLength(0);
  });

  it('e-mails each co-chair a weekly digest of titles, once per week, respecting their choice', async () => {
    const cast = await buildConcernsCast(t);
    const author = await signedIn(t, cast.people.student.id);
    await author.post(
      `/api/networks/${cast.network.id}/concerns`,
      validConcern({ title: 'Kara refused in theatre' }),
    );
    await db()
      .insert(notificationPreferences)
      .values({ userId: cast.people.staffChair.id, email: true, weeklyDigest: false });
    const inThreeWeeks = new Date(Date.now() + 21 * 86_400_000);
    expect(await runJobSlot(t.app.services, weeklyDigestJob, inThreeWeeks)).toBe('ran');
    expect(
      await runJobSlot(t.app.services, weeklyDigestJob, new Date(inThreeWeeks.getTime() + 3_600_000)),
    ).toBe('skipped');
    const mails = await db().select().from(mailOutbox);
    const mine = mails.filter((m) =>
      [cast.people.chair.email, cast.people.staffChair.email, cast.people.actionLead.email].includes(
        m.toAddress,
      ),
    );
    expect(mine.map((m) => m.toAddress)).toEqual([cast.people.chair.email]);
    expect(mine[0]!.textBody).toContain('#1 Kara refused in theatre');
    for (const p of Object.values(cast.people)) expect(mine[0]!.textBody).not.toContain(p.name);
    expect(WEEKLY_DIGEST_JOB).toBe('concerns.weekly_digest');
  });
});
