import { eq } from 'drizzle-orm';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actionEvidence, actions, auditEvents, concerns, meetings, notifications } from '../../../db/schema';
import type { ActionDetail, ConcernDetail } from '../../../shared/concerns/schema';
import { createTestApp, type TestApp } from '../../test/app';
import { databaseFingerprint } from '../../test/matrix';
import { startTestSmtp, type TestSmtp } from '../../test/smtp';
import { buildConcernsCast, signedIn, validConcern } from './testing';
import { agendaQueue, postActionUpdate, triageConcern } from './triage';

let t: TestApp;
let smtp: TestSmtp;
beforeAll(async () => {
  smtp = await startTestSmtp();
  t = await createTestApp({ env: { SMTP_URL: smtp.url } });
});
afterAll(async () => {
  await t.close();
  await smtp.close();
});

const db = () => t.database.db;
/** Every table but sessions, once mail queued by earlier requests has been delivered (it updates the outbox). */
const fingerprint = async () => {
  await t.app.services.mailer.deliverPending();
  return (await databaseFingerprint(db())).split(',').filter((table) => !table.startsWith('sessions:'));
};

async function raisedAndSupported() {
  const cast = await buildConcernsCast(t);
  const author = await signedIn(t, cast.people.student.id);
  const id = (
    await author.post(
      `/api/networks/${cast.network.id}/concerns`,
      validConcern({ visibility: 'anonymous_to_members' }),
    )
  ).json().id as string;
  for (const p of [cast.people.student2, cast.people.student3]) {
    expect((await (await signedIn(t, p.id)).post(`/api/concerns/${id}/support`)).statusCode).toBe(200);
  }
  const chair = await signedIn(t, cast.people.chair.id);
  return { cast, author, chair, id };
}

describe('triage', () => {
  it('accepts a concern into a new action; author and supporters are told in the app and by e-mail', async () => {
    const { cast, chair, id } = await raisedAndSupported();
    // student3 wants no e-mail.
    const s3 = await signedIn(t, cast.people.student3.id);
    expect(
      (await s3.put('/api/notifications/preferences', { email: false, weeklyDigest: true })).statusCode,
    ).toBe(200);

    const r = await chair.post(`/api/concerns/${id}/triage`, {
      status: 'accepted',
      answer: 'We will work with theatres on inclusive headwear.',
      newAction: {
        title: 'Inclusive theatre headwear',
        studentLeadId: cast.people.student2.id,
        staffSponsorId: cast.people.staff.id,
      },
    });
    expect(r.statusCode).toBe(200);
    const { actionId, status } = r.json() as { actionId: string; status: string };
    expect(status).toBe('accepted');
    const [action] = await db().select().from(actions).where(eq(actions.id, actionId));
    expect(action).toMatchObject({
      number: 1,
      category: 'uniform_and_facilities',
      studentLeadId: cast.people.student2.id,
    });
    const [concern] = await db().select().from(concerns).where(eq(concerns.id, id));
    expect(concern).toMatchObject({
      status: 'accepted',
      actionId,
      answer: 'We will work with theatres on inclusive headwear.',
    });
    expect(concern!.firstAnsweredAt).not.toBeNull();

    for (const person of [cast.people.student, cast.people.student2, cast.people.student3]) {
      const notes = await db().select().from(notifications).where(eq(notifications.userId, person.id));
      expect(notes.map((n) => n.kind)).toEqual(['concern.status']);
      expect(notes[0]!.link).toBe(`/concerns/${id}`);
    }
    const chairNotes = await db()
      .select()
      .from(notifications)
      .where(eq(notifications.userId, cast.people.chair.id));
    expect(chairNotes).toHaveLength(0);

    await t.app.services.mailer.deliverPending();
    // The author is anonymous to members: their mail names nothing (others read mail headers).
    const toAuthor = await smtp.waitFor((m) => m.to.includes(cast.people.student.email.toLowerCase()));
    expect(toAuthor.subject).toBe('An update on something you raised');
    expect(toAuthor.text).toContain('http://localhost:3000/notifications');
    expect(toAuthor.text).not.toContain(id);
    const toSupporter = await smtp.waitFor((m) => m.to.includes(cast.people.student2.email.toLowerCase()));
    expect(toSupporter.subject).toContain('accepted as an action');
    expect(toSupporter.text).toContain(`http://localhost:3000/concerns/${id}`);
    expect(smtp.messages.some((m) => m.to.includes(cast.people.student3.email.toLowerCase()))).toBe(false);

    // Accepted is final for the concern.
    expect(
      (
        await chair.post(`/api/concerns/${id}/triage`, {
          status: 'answered',
          answer: 'Changing our answer now.',
        })
      ).statusCode,
    ).toBe(409);
  });

  it('requires an answer, a reason for not taking forward, and proper people; refusals write nothing', async () => {
    const { cast, chair, author, id } = await raisedAndSupported();
    const before = await fingerprint();
    const tries = [
      { status: 'answered' },
      { status: 'answered', answer: 'short' },
      { status: 'not_taken_forward', answer: 'We cannot take this forward.' },
      { status: 'accepted', answer: 'We accept this concern fully.' },
      {
        status: 'accepted',
        answer: 'We accept this concern fully.',
        // A staff member as the student lead.
        newAction: {
          title: 'Headwear action',
          studentLeadId: cast.people.staff.id,
          staffSponsorId: cast.people.staff.id,
        },
      },
      {
        status: 'accepted',
        answer: 'We accept this concern fully.',
        newAction: {
          title: 'Headwear action',
          studentLeadId: cast.people.outsider.id,
          staffSponsorId: cast.people.staff.id,
        },
      },
    ];
    for (const body of tries) {
      const r = await chair.post(`/api/concerns/${id}/triage`, body);
      expect(r.statusCode, JSON.stringify(body)).toBe(400);
    }
    expect(
      (await author.post(`/api/concerns/${id}/triage`, { status: 'answered', answer: 'I answer it myself.' }))
        .statusCode,
    ).toBe(403);
    expect(await fingerprint()).toEqual(before);

    const r = await chair.post(`/api/concerns/${id}/triage`, {
      status: 'not_taken_forward',
      answer: 'This is a trust policy; we have passed it to the trust.',
      reason: 'outside_our_remit',
    });
    expect(r.statusCode).toBe(200);
    const detail = (await chair.get(`/api/concerns/${id}`)).json() as ConcernDetail;
    expect(detail.timeline.at(-1)).toMatchObject({
      kind: 'status',
      fromStatus: 'new',
      toStatus: 'not_taken_forward',
      data: { reason: 'outside_our_remit' },
    });
    const [audit] = await db().select().from(auditEvents).where(eq(auditEvents.action, 'concerns.triage'));
    expect(audit).toBeTruthy();
  });

  it('records a meeting’s decision: the event names the meeting and the action links it as evidence', async () => {
    const { cast, chair, id } = await raisedAndSupported();
    const [meeting] = await db()
      .insert(meetings)
      .values({
        networkId: cast.network.id,
        title: 'November network meeting',
        startsAt: new Date('2026-11-18T17:00:00Z'),
        durationMinutes: 60,
        timeZone: 'Europe/London',
        icalUid: `test-${crypto.randomUUID()}@upstander`,
      })
      .returning();
    const now = new Date('2026-11-18T18:05:00Z');
    const result = await db().transaction((tx) =>
      triageConcern(
        tx,
        chair.actor,
        id,
        {
          status: 'accepted',
          answer: 'Agreed at the November meeting.',
          newAction: {
            title: 'Kara policy review',
            studentLeadId: cast.people.student2.id,
            staffSponsorId: cast.people.staff.id,
          },
        },
        { meetingId: meeting!.id, now },
      ),
    );
    const evidence = await db()
      .select()
      .from(actionEvidence)
      .where(eq(actionEvidence.actionId, result.actionId!));
    expect(evidence).toEqual([
      expect.objectContaining({
        kind: 'meeting',
        refId: meeting!.id,
        label: 'November network meeting (18 Nov 2026)',
      }),
    ]);
    const detail = (await chair.get(`/api/concerns/${id}`)).json() as ConcernDetail;
    expect(detail.timeline.find((e) => e.kind === 'meeting_decision')).toMatchObject({
      at: now.toISOString(),
      data: { meetingId: meeting!.id },
    });
  });
});

describe('actions', () => {
  it('posts updates to completion, keeps milestones, rolls sub-actions up, and tells followers each time', async () => {
    const { cast, chair, id } = await raisedAndSupported();
    const { actionId } = (
      await chair.post(`/api/concerns/${id}/triage`, {
        status: 'accepted',
        answer: 'We will work with theatres on inclusive headwear.',
        newAction: {
          title: 'Inclusive theatre headwear',
          studentLeadId: cast.people.student2.id,
          staffSponsorId: cast.people.staff.id,
        },
      })
    ).json() as { actionId: string };
    const lead = await signedIn(t, cast.people.student2.id);
    const member = await signedIn(t, cast.people.student3.id);

    const m = await lead.post(`/api/actions/${actionId}/milestones`, {
      title: 'Samples from suppliers',
      dueOn: '2026-12-15',
    });
    expect(m.statusCode).toBe(201);
    const milestoneId = (m.json() as ActionDetail).milestones[0]!.id;
    expect(
      (await lead.patch(`/api/actions/${actionId}/milestones/${milestoneId}`, { done: true })).statusCode,
    ).toBe(200);
    expect(
      (await lead.post(`/api/actions/${actionId}/milestones`, { title: 'Bad date', dueOn: '2026-13-01' }))
        .statusCode,
    ).toBe(400);

    // Sub-actions roll up: weights 3 and 1.
    const sub = async (title: string, weight: number) =>
      (
        await chair.post(`/api/networks/${cast.network.id}/actions`, {
          title,
          category: 'uniform_and_facilities',
          studentLeadId: cast.people.student2.id,
          staffSponsorId: cast.people.staff.id,
          parentId: actionId,
          weight,
        })
      ).json() as ActionDetail;
    const a = await sub('Caps that fit over braids and locs', 3);
    const b = await sub('Hijab approved for theatre', 1);
    await lead.post(`/api/actions/${a.id}/updates`, { body: 'Supplier samples tested.', progress: 60 });
    await lead.post(`/api/actions/${b.id}/updates`, {
      body: 'Policy signed off by theatres.',
      status: 'completed',
    });
    const parent = (await member.get(`/api/actions/${actionId}`)).json() as ActionDetail;
    expect(parent.progress).toBe(70); // (3·60 + 1·100) / 4
    expect(parent.subActions.map((s) => s.progress).sort()).toEqual([100, 60]);
    expect(parent.may.manage).toBe(false);
    // A parent cannot become its own descendant.
    expect((await chair.patch(`/api/actions/${actionId}`, { parentId: a.id })).statusCode).toBe(400);

    const before = await fingerprint();
    expect(
      (await member.post(`/api/actions/${actionId}/updates`, { body: 'I am not the lead.' })).statusCode,
    ).toBe(403);
    expect((await lead.post(`/api/actions/${actionId}/updates`, { body: 'x' })).statusCode).toBe(400);
    expect(await fingerprint()).toEqual(before);

    const now1 = await lead.post(`/api/actions/${actionId}/updates`, {
      body: 'New caps ordered for all theatres.',
      progress: 50,
    });
    expect(now1.statusCode).toBe(201);
    expect((now1.json() as ActionDetail).status).toBe('in_progress');
    const done = await lead.post(`/api/actions/${actionId}/updates`, {
      body: 'Every theatre now stocks the new caps.',
      status: 'completed',
    });
    const finished = done.json() as ActionDetail;
    expect(finished.status).toBe('completed');
    expect(finished.completedAt).not.toBeNull();
    expect(finished.updates.map((u) => u.body)[0]).toBe('Every theatre now stocks the new caps.');
    // The concern's author (anonymous to members) heard of the triage and of both updates (each
    // changed the status: progress on a planned action starts it); not of the sub-actions'.
    const authorNotes = await db()
      .select()
      .from(notifications)
      .where(eq(notifications.userId, cast.people.student.id));
    expect(authorNotes.map((n) => n.subject).sort()).toEqual([
      'Action A-1 “Inclusive theatre headwear”: completed',
      'Action A-1 “Inclusive theatre headwear”: in progress',
      'Concern #1 “Theatre headwear for braids and locs”: accepted as an action',
    ]);
  });

  it('checks the people of an action, strips file metadata, and lets only the named people consent', async () => {
    const cast = await buildConcernsCast(t);
    const chair = await signedIn(t, cast.people.chair.id);
    const before = await fingerprint();
    const wrong = await chair.post(`/api/networks/${cast.network.id}/actions`, {
      title: 'Students on appointment panels',
      category: 'policy',
      studentLeadId: cast.people.staff.id,
      staffSponsorId: cast.people.student.id,
    });
    expect(wrong.statusCode).toBe(400);
    expect(await fingerprint()).toEqual(before);
    const created = await chair.post(`/api/networks/${cast.network.id}/actions`, {
      title: 'Students on appointment panels',
      category: 'policy',
      studentLeadId: cast.people.student.id,
      staffSponsorId: cast.people.staff.id,
    });
    expect(created.statusCode).toBe(201);
    const action = created.json() as ActionDetail;
    expect(action.number).toBe(1);

    const png = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#c33' } })
      .png()
      .withMetadata({ exif: { IFD0: { Artist: 'Secret Person' } } })
      .toBuffer();
    expect(png.toString('latin1')).toContain('Secret Person');
    const up = await chair.post(`/api/actions/${action.id}/attachments`, {
      fileName: 'panel.png',
      data: png.toString('base64'),
    });
    expect(up.statusCode).toBe(201);
    const file = await chair.get(`/api/actions/${action.id}/attachments/${up.json().id}`);
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toBe('image/png');
    expect(file.rawPayload.toString('latin1')).not.toContain('Secret Person');
    const notAFile = await chair.post(`/api/actions/${action.id}/attachments`, {
      fileName: 'x.png',
      data: Buffer.from('hello').toString('base64'),
    });
    expect(notAFile.statusCode).toBe(400);
    expect(
      (
        await (
          await signedIn(t, cast.people.outsider.id)
        ).get(`/api/actions/${action.id}/attachments/${up.json().id}`)
      ).statusCode,
    ).toBe(404);
    // An upload by someone who cannot see the action is refused before its body is read: even a
    // body that is not JSON gets the 404, not the parser's 400.
    const outsiderUpload = await (await signedIn(t, cast.people.outsider.id)).request(
      'POST',
      `/api/actions/${action.id}/attachments`,
      { body: '{"fileName": "x.png", "data": "', headers: { 'content-type': 'application/json' } },
    );
    expect(outsiderUpload.statusCode).toBe(404);

    const student = await signedIn(t, cast.people.student.id);
    const staff = await signedIn(t, cast.people.staff.id);
    expect((await chair.post(`/api/actions/${action.id}/consent`, { named: true })).statusCode).toBe(403);
    const consented = (
      await student.post(`/api/actions/${action.id}/consent`, { named: true })
    ).json() as ActionDetail;
    expect(consented.studentLead).toMatchObject({ id: cast.people.student.id, named: true });
    expect(consented.staffSponsor).toMatchObject({ named: false });
    expect(((await staff.get(`/api/actions/${action.id}`)).json() as ActionDetail).may.consentAs).toBe(
      'staff_sponsor',
    );

    const ev = await chair.post(`/api/actions/${action.id}/evidence`, {
      kind: 'link',
      label: 'Trust policy on panels',
      url: 'https://example.nhs.uk/policy',
    });
    expect(ev.statusCode).toBe(201);
    expect((ev.json() as ActionDetail).evidence).toHaveLength(1);
    expect(
      (
        await chair.post(`/api/actions/${action.id}/evidence`, {
          kind: 'link',
          label: 'Bad',
          url: 'javascript:alert(1)',
        })
      ).statusCode,
    ).toBe(400);
  });

  it('builds the agenda queue: awaiting triage or put on the agenda, and actions with updates due within 14 days', async () => {
    const cast = await buildConcernsCast(t);
    const chair = await signedIn(t, cast.people.chair.id);
    const author = await signedIn(t, cast.people.student.id);
    const raise = async (title: string) =>
      (await author.post(`/api/networks/${cast.network.id}/concerns`, validConcern({ title }))).json()
        .id as string;
    const fresh = await raise('A fresh concern for triage');
    const answered = await raise('An answered concern for agenda');
    const answeredOff = await raise('An answered concern off the agenda');
    const hidden = await raise('A hidden concern never listed');
    for (const c of [answered, answeredOff]) {
      await chair.post(`/api/concerns/${c}/triage`, {
        status: 'answered',
        answer: 'Answered at the time, thank you.',
      });
    }
    await chair.post(`/api/concerns/${answered}/agenda`, { forAgenda: true });
    await chair.post(`/api/concerns/${hidden}/hide`, { reason: 'Duplicate of another one' });

    const t0 = new Date();
    const created = await db().transaction(async (tx) => {
      const { createActionTx } = await import('./actions');
      const make = (title: string) =>
        createActionTx(
          tx,
          chair.actor,
          cast.network.id,
          {
            title,
            summary: '',
            category: 'curriculum',
            studentLeadId: cast.people.student.id,
            staffSponsorId: cast.people.staff.id,
            weight: 1,
            public: true,
          },
          t0,
        );
      return { recent: await make('Recently updated action'), old: await make('Action nearly due') };
    });
    await db().transaction((tx) =>
      postActionUpdate(
        tx,
        chair.actor,
        created.recent.id,
        { body: 'All on track.' },
        { now: new Date(t0.getTime() + 40 * 86_400_000) },
      ),
    );
    // 50 days on: the untouched one is due in 10 days (listed), the updated one in 50 (not).
    const queue = await agendaQueue(db(), cast.network.id, new Date(t0.getTime() + 50 * 86_400_000));
    expect(queue.concerns.map((c) => c.id).sort()).toEqual([answered, fresh].sort());
    expect(queue.concerns.find((c) => c.id === fresh)!.overdue).toBe(true);
    expect(queue.actionsDue.map((a) => a.id)).toEqual([created.old.id]);
    expect(queue.actionsDue[0]!.updateDueAt.getTime()).toBe(t0.getTime() + 60 * 86_400_000);
  });
});
