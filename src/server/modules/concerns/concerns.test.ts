import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  auditEvents,
  concernEvents,
  concernReceipts,
  concernSupports,
  concerns,
  notifications,
} from '../../../db/schema';
import type { ConcernDetail, ConcernList } from '../../../shared/concerns/schema';
import { createTestApp, type TestApp } from '../../test/app';
import { databaseFingerprint } from '../../test/matrix';
import { listConcerns } from './concerns';
import { buildConcernsCast, signedIn, validConcern } from './testing';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const db = () => t.database.db;
/** Everything but sessions (signing in, and a session's last use, are not what these tests watch). */
/** Every table but sessions, once mail queued by earlier requests has been delivered (it updates the outbox). */
const fingerprint = async () => {
  await t.app.services.mailer.deliverPending();
  return (await databaseFingerprint(db())).split(',').filter((table) => !table.startsWith('sessions:'));
};
const rowOf = async (id: string) => (await db().select().from(concerns).where(eq(concerns.id, id)))[0]!;

describe('raising a concern', () => {
  it('numbers concerns per network and stores a named author', async () => {
    const cast = await buildConcernsCast(t);
    const student = await signedIn(t, cast.people.student.id);
    const first = await student.post(`/api/networks/${cast.network.id}/concerns`, validConcern());
    expect(first.statusCode).toBe(201);
    const second = await student.post(
      `/api/networks/${cast.network.id}/concerns`,
      validConcern({ title: 'Kara refused in theatre', moduleRef: 'Surgery placement' }),
    );
    expect(first.json()).toMatchObject({ number: 1, receipt: null });
    expect(second.json()).toMatchObject({ number: 2, receipt: null });
    const row = await rowOf(first.json().id);
    expect(row.authorId).toBe(cast.people.student.id);
    expect(row.status).toBe('new');
    // The first-answer clock: 14 days by default.
    expect(row.firstAnswerDueAt.getTime() - row.createdAt.getTime()).toBe(14 * 86_400_000);
    const [audit] = await db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'concerns.raise'), eq(auditEvents.subjectId, row.id)));
    expect(audit!.actorUserId).toBe(cast.people.student.id);
  });

  it('stores no author anywhere for a fully anonymous concern, and follows it with the receipt', async () => {
    const cast = await buildConcernsCast(t);
    const student = await signedIn(t, cast.people.student.id);
    const r = await student.post(
      `/api/networks/${cast.network.id}/concerns`,
      validConcern({ visibility: 'anonymous' }),
    );
    expect(r.statusCode).toBe(201);
    const { id, receipt } = r.json() as { id: string; receipt: string };
    expect(receipt).toMatch(/^\d{4}(-\d{4}){4}$/);
    expect((await rowOf(id)).authorId).toBeNull();
    const events = await db().select().from(concernEvents).where(eq(concernEvents.concernId, id));
    expect(events.map((e) => e.actorId)).toEqual([null]);
    const audits = await db().select().from(auditEvents).where(eq(auditEvents.subjectId, id));
    expect(audits.map((a) => a.actorUserId)).toEqual([null]);
    expect(JSON.stringify(audits)).not.toContain(cast.people.student.id);
    const [stored] = await db().select().from(concernReceipts).where(eq(concernReceipts.concernId, id));
    expect(stored!.secretHash).toMatch(/^\$argon2id\$/);
    expect(JSON.stringify(stored)).not.toContain(receipt.replace(/-/g, '').slice(6));

    // Following it: no session needed, and the answer names nobody.
    const visitor = t.client();
    const followed = await visitor.post('/api/concerns/follow', { receipt });
    expect(followed.statusCode).toBe(200);
    expect(followed.json()).toMatchObject({ id, status: 'new', title: validConcern().title });
    const wrong = `${receipt.slice(0, -1)}${receipt.endsWith('0') ? '1' : '0'}`;
    expect((await visitor.post('/api/concerns/follow', { receipt: wrong })).statusCode).toBe(404);
    expect((await visitor.post('/api/concerns/follow', { receipt: '12' })).statusCode).toBe(400);
  });

  it('refuses invalid input with field messages and writes nothing', async () => {
    const cast = await buildConcernsCast(t);
    const student = await signedIn(t, cast.people.student.id);
    const before = await fingerprint();
    const r = await student.post(
      `/api/networks/${cast.network.id}/concerns`,
      validConcern({ title: 'Hi', description: 'short', category: 'weather', visibility: 'secret' }),
    );
    expect(r.statusCode).toBe(400);
    const fields = (r.json() as { error: { fields: { path: string; message: string }[] } }).error.fields;
    expect(fields.map((f) => f.path).sort()).toEqual(['category', 'description', 'title', 'visibility']);
    expect(fields.find((f) => f.path === 'title')!.message).toBe('Write at least 5 characters for a title.');
    expect(await fingerprint()).toEqual(before);
  });

  it('lets visitors raise only fully anonymously, and only where the network allows it', async () => {
    const closed = await buildConcernsCast(t);
    const open = await buildConcernsCast(t, { visitorsMayRaiseConcerns: true });
    const visitor = t.client();
    const before = await fingerprint();
    expect(
      (
        await visitor.post(
          `/api/networks/${closed.network.id}/concerns`,
          validConcern({ visibility: 'anonymous' }),
        )
      ).statusCode,
    ).toBe(401);
    expect((await visitor.post(`/api/networks/${open.network.id}/concerns`, validConcern())).statusCode).toBe(
      400,
    );
    const outsider = await signedIn(t, closed.people.outsider.id);
    expect(
      (
        await outsider.post(
          `/api/networks/${closed.network.id}/concerns`,
          validConcern({ visibility: 'anonymous' }),
        )
      ).statusCode,
    ).toBe(403);
    expect(await fingerprint()).toEqual(before);
    const ok = await visitor.post(
      `/api/networks/${open.network.id}/concerns`,
      validConcern({ visibility: 'anonymous' }),
    );
    expect(ok.statusCode).toBe(201);
    expect(ok.json().receipt).toBeTruthy();
  });

  it('gives distinct consecutive numbers to concerns raised at the same moment', async () => {
    const cast = await buildConcernsCast(t);
    const clients = await Promise.all(
      [cast.people.student, cast.people.student2, cast.people.student3, cast.people.staff].map((p) =>
        signedIn(t, p.id),
      ),
    );
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        clients[i % clients.length]!.post(
          `/api/networks/${cast.network.id}/concerns`,
          validConcern({ title: `Concern number ${i}` }),
        ),
      ),
    );
    expect(results.map((r) => r.statusCode)).toEqual(Array(12).fill(201));
    expect(results.map((r) => r.json().number as number).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 12 }, (_, i) => i + 1),
    );
  });
});

describe('who sees the author', () => {
  it('hides an author anonymous to members from members and admins in every response, not from leads', async () => {
    const cast = await buildConcernsCast(t);
    const author = await signedIn(t, cast.people.student.id);
    const r = await author.post(
      `/api/networks/${cast.network.id}/concerns`,
      validConcern({ visibility: 'anonymous_to_members' }),
    );
    const id = r.json().id as string;
    // The author edits it (the edit's event is by the author: still not named to members).
    expect(
      (
        await author.patch(`/api/concerns/${id}`, {
          description: 'The caps do not fit over braids, locs or hijab.',
        })
      ).statusCode,
    ).toBe(200);
    const secret = [cast.people.student.id, cast.people.student.name];

    for (const viewerId of [cast.people.student2.id, cast.people.admin.id]) {
      const viewer = await signedIn(t, viewerId);
      const detail = await viewer.get(`/api/concerns/${id}`);
      const list = await viewer.get(`/api/networks/${cast.network.id}/concerns`);
      expect(detail.statusCode).toBe(200);
      expect(list.statusCode).toBe(200);
      for (const body of [detail.body, list.body]) for (const s of secret) expect(body).not.toContain(s);
      expect((detail.json() as ConcernDetail).authorHiddenFromYou).toBe(true);
      expect((detail.json() as ConcernDetail).author).toBeNull();
    }
    // The edit is audited without naming the author to admins.
    const audits = await db().select().from(auditEvents).where(eq(auditEvents.subjectId, id));
    expect(JSON.stringify(audits)).not.toContain(cast.people.student.id);

    const chair = await signedIn(t, cast.people.chair.id);
    const seen = (await chair.get(`/api/concerns/${id}`)).json() as ConcernDetail;
    expect(seen.author).toEqual({ id: cast.people.student.id, name: cast.people.student.name });
    expect(seen.authorHiddenFromYou).toBe(false);
    expect(seen.timeline.find((e) => e.kind === 'edited')!.actor?.id).toBe(cast.people.student.id);
    const mine = (await author.get(`/api/concerns/${id}`)).json() as ConcernDetail;
    expect(mine.mine).toBe(true);
    expect(mine.author?.id).toBe(cast.people.student.id);
  });

  it('keeps the edit history with the fields before and after', async () => {
    const cast = await buildConcernsCast(t);
    const author = await signedIn(t, cast.people.student.id);
    const id = (await author.post(`/api/networks/${cast.network.id}/concerns`, validConcern())).json()
      .id as string;
    const chair = await signedIn(t, cast.people.chair.id);
    const r = await chair.patch(`/api/concerns/${id}`, {
      category: 'policy',
      moduleRef: 'Theatre induction',
    });
    expect(r.statusCode).toBe(200);
    const edited = (r.json() as ConcernDetail).timeline.find((e) => e.kind === 'edited')!;
    expect(edited.data).toEqual({
      changes: {
        category: { before: 'uniform_and_facilities', after: 'policy' },
        moduleRef: { before: null, after: 'Theatre induction' },
      },
    });
    expect(edited.actor?.name).toBe(cast.people.chair.name);
    // Once it is no longer new, its author may not edit it; other members never.
    await chair.post(`/api/concerns/${id}/triage`, {
      status: 'under_discussion',
      answer: 'We will discuss this at the next meeting.',
    });
    const before = await fingerprint();
    expect((await author.patch(`/api/concerns/${id}`, { title: 'A new title here' })).statusCode).toBe(403);
    const other = await signedIn(t, cast.people.student2.id);
    expect((await other.patch(`/api/concerns/${id}`, { title: 'A new title here' })).statusCode).toBe(403);
    expect((await author.patch(`/api/concerns/${id}`, {})).statusCode).toBe(400);
    expect(await fingerprint()).toEqual(before);
  });
});

describe('support', () => {
  it('counts one support per person, even when sent many times at once', async () => {
    const cast = await buildConcernsCast(t);
    const author = await signedIn(t, cast.people.student.id);
    const id = (await author.post(`/api/networks/${cast.network.id}/concerns`, validConcern())).json()
      .id as string;
    const supporter = await signedIn(t, cast.people.student2.id);
    const same = await Promise.all(
      Array.from({ length: 6 }, () => supporter.post(`/api/concerns/${id}/support`)),
    );
    expect(same.map((r) => r.statusCode)).toEqual(Array(6).fill(200));
    const others = await Promise.all(
      [cast.people.student3, cast.people.staff, cast.people.chair].map(async (p) =>
        (await signedIn(t, p.id)).post(`/api/concerns/${id}/support`),
      ),
    );
    expect(others.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    const count = async () =>
      (
        await db()
          .select({ n: sql<number>`count(*)::int` })
          .from(concernSupports)
          .where(eq(concernSupports.concernId, id))
      )[0]!.n;
    expect(await count()).toBe(4);
    expect((await rowOf(id)).supportCount).toBe(4);
    const withdrawn = await supporter.delete(`/api/concerns/${id}/support`);
    expect(withdrawn.json()).toEqual({ supportCount: 3, supportedByMe: false });
    expect((await supporter.delete(`/api/concerns/${id}/support`)).json()).toEqual({
      supportCount: 3,
      supportedByMe: false,
    });
    expect((await rowOf(id)).supportCount).toBe(await count());
    // Not members: an outsider does not see it; an admin sees it but is no member.
    expect(
      (await (await signedIn(t, cast.people.outsider.id)).post(`/api/concerns/${id}/support`)).statusCode,
    ).toBe(404);
    expect(
      (await (await signedIn(t, cast.people.admin.id)).post(`/api/concerns/${id}/support`)).statusCode,
    ).toBe(403);
  });
});

describe('listing and duplicates', () => {
  it('filters by status, category and words, pages, and suggests similar open concerns', async () => {
    const cast = await buildConcernsCast(t);
    const author = await signedIn(t, cast.people.student.id);
    const raise = (title: string, description: string, category = 'curriculum') =>
      author.post(
        `/api/networks/${cast.network.id}/concerns`,
        validConcern({ title, description, category }),
      );
    await raise(
      'Jaundice only shown on white skin',
      'Lectures show jaundice and cyanosis only on white skin.',
    );
    await raise(
      'Cyanosis pictures on darker skin',
      'We need teaching images of cyanosis on black and brown skin.',
    );
    await raise('Theatre caps for locs', 'Caps that fit over locs and braids.', 'uniform_and_facilities');
    const list = (
      await author.get(`/api/networks/${cast.network.id}/concerns?category=curriculum&pageSize=1`)
    ).json() as ConcernList;
    expect(list.total).toBe(2);
    expect(list.items).toHaveLength(1);
    const searched = (
      await author.get(`/api/networks/${cast.network.id}/concerns?q=cyanosis`)
    ).json() as ConcernList;
    expect(searched.items.map((c) => c.title).sort()).toEqual([
      'Cyanosis pictures on darker skin',
      'Jaundice only shown on white skin',
    ]);
    expect((await author.get(`/api/networks/${cast.network.id}/concerns?pageSize=51`)).statusCode).toBe(400);

    const similar = await author.get(
      `/api/networks/${cast.network.id}/concerns/similar?q=${encodeURIComponent('teaching about cyanosis in skin of colour')}`,
    );
    expect(similar.statusCode).toBe(200);
    const titles = (similar.json() as { title: string }[]).map((s) => s.title);
    expect(titles[0]).toBe('Cyanosis pictures on darker skin');
    expect(titles).toContain('Jaundice only shown on white skin');
    expect(titles).not.toContain('Theatre caps for locs');
    expect((await author.get(`/api/networks/${cast.network.id}/concerns/similar?q=a`)).statusCode).toBe(400);
    expect(
      (await (await signedIn(t, cast.people.outsider.id)).get(`/api/networks/${cast.network.id}/concerns`))
        .statusCode,
    ).toBe(404);
  });

  it('marks concerns overdue after the clock, judged at a fixed time', async () => {
    const cast = await buildConcernsCast(t);
    const author = await signedIn(t, cast.people.student.id);
    const id = (await author.post(`/api/networks/${cast.network.id}/concerns`, validConcern())).json()
      .id as string;
    const row = await rowOf(id);
    const justBefore = new Date(row.firstAnswerDueAt.getTime() - 1000);
    const justAfter = new Date(row.firstAnswerDueAt.getTime() + 1000);
    const q = { page: 1, pageSize: 20 };
    expect((await listConcerns(db(), author.actor, cast.network.id, q, justBefore)).items[0]!.overdue).toBe(
      false,
    );
    expect((await listConcerns(db(), author.actor, cast.network.id, q, justAfter)).items[0]!.overdue).toBe(
      true,
    );
    expect(
      (await listConcerns(db(), author.actor, cast.network.id, { ...q, overdue: true }, justBefore)).total,
    ).toBe(0);
    expect(
      (await listConcerns(db(), author.actor, cast.network.id, { ...q, overdue: true }, justAfter)).total,
    ).toBe(1);
  });
});

describe('moderation', () => {
  it('flags, hides with a reason (author told, members no longer see it), and unhides; never deletes', async () => {
    const cast = await buildConcernsCast(t);
    const author = await signedIn(t, cast.people.student.id);
    const id = (await author.post(`/api/networks/${cast.network.id}/concerns`, validConcern())).json()
      .id as string;
    const member = await signedIn(t, cast.people.student2.id);
    const chair = await signedIn(t, cast.people.chair.id);

    expect((await author.post(`/api/concerns/${id}/flag`, { reason: 'My own concern' })).statusCode).toBe(
      403,
    );
    expect((await member.post(`/api/concerns/${id}/flag`, { reason: 'It names a person' })).statusCode).toBe(
      200,
    );
    expect((await member.post(`/api/concerns/${id}/flag`, { reason: 'It names a person' })).statusCode).toBe(
      200,
    );
    expect((await rowOf(id)).flagCount).toBe(1);
    const chairNotes = await db()
      .select()
      .from(notifications)
      .where(eq(notifications.userId, cast.people.chair.id));
    expect(chairNotes.map((n) => n.kind)).toContain('concern.flagged');
    expect(((await chair.get(`/api/concerns/${id}`)).json() as ConcernDetail).flagCount).toBe(1);
    expect(((await member.get(`/api/concerns/${id}`)).json() as ConcernDetail).flagCount).toBeNull();

    const before = await fingerprint();
    expect(
      (await member.post(`/api/concerns/${id}/hide`, { reason: 'Names a member of staff' })).statusCode,
    ).toBe(403);
    expect((await chair.post(`/api/concerns/${id}/hide`, { reason: '' })).statusCode).toBe(400);
    expect(await fingerprint()).toEqual(before);

    const hidden = await chair.post(`/api/concerns/${id}/hide`, { reason: 'It names a member of staff' });
    expect(hidden.statusCode).toBe(200);
    expect((hidden.json() as ConcernDetail).hiddenInfo).toMatchObject({
      reason: 'It names a member of staff',
      hiddenBy: { id: cast.people.chair.id },
    });
    expect((await member.get(`/api/concerns/${id}`)).statusCode).toBe(404);
    const memberList = (await member.get(`/api/networks/${cast.network.id}/concerns`)).json() as ConcernList;
    expect(memberList.items.map((c) => c.id)).not.toContain(id);
    const authorView = (await author.get(`/api/concerns/${id}`)).json() as ConcernDetail;
    expect(authorView.hiddenInfo).toMatchObject({ reason: 'It names a member of staff', hiddenBy: null });
    expect(authorView.timeline.find((e) => e.kind === 'hidden')!.actor).toBeNull();
    const authorNotes = await db()
      .select()
      .from(notifications)
      .where(eq(notifications.userId, cast.people.student.id));
    expect(authorNotes.map((n) => n.kind)).toEqual(['concern.hidden']);
    expect(
      (
        await chair.post(`/api/concerns/${id}/triage`, {
          status: 'answered',
          answer: 'This is our answer to it.',
        })
      ).statusCode,
    ).toBe(409);
    expect((await member.post(`/api/concerns/${id}/support`)).statusCode).toBe(404);

    expect((await chair.post(`/api/concerns/${id}/unhide`)).statusCode).toBe(200);
    expect((await member.get(`/api/concerns/${id}`)).statusCode).toBe(200);
    expect((await chair.post(`/api/concerns/${id}/unhide`)).statusCode).toBe(409);
    const kinds = (await db().select().from(concernEvents).where(eq(concernEvents.concernId, id))).map(
      (e) => e.kind,
    );
    expect(kinds).toEqual(expect.arrayContaining(['raised', 'hidden', 'unhidden']));
  });
});
