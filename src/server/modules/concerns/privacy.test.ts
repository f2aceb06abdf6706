import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, concernEvents, mailOutbox, memberships, notifications } from '../../../db/schema';
import type { ConcernDetail } from '../../../shared/concerns/schema';
import { DISCREET_EMAIL } from '../../platform/notifications';
import { createTestApp, type TestApp } from '../../test/app';
import { startTestSmtp, type TestSmtp } from '../../test/smtp';
import { buildConcernsCast, signedIn, validConcern } from './testing';

/**
 * Attacks on who wrote a concern and what it once said: the mail outbox and mail headers, an
 * admin making themselves a lead, the edit history, and news for people removed from the network.
 */

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

describe('the author of a concern anonymous to members', () => {
  it('the outbox does not tell an admin who wrote an anonymous concern', async () => {
    const cast = await buildConcernsCast(t);
    const author = await signedIn(t, cast.people.student.id);
    const raised = await author.post(
      `/api/networks/${cast.network.id}/concerns`,
      validConcern({ title: 'Racist joke on ward 12', visibility: 'anonymous_to_members' }),
    );
    expect(raised.statusCode).toBe(201);
    const { id, number } = raised.json() as { id: string; number: number };
    const chair = await signedIn(t, cast.people.chair.id);
    expect((await chair.post(`/api/concerns/${id}/hide`, { reason: 'It names a patient' })).statusCode).toBe(
      200,
    );
    expect((await chair.post(`/api/concerns/${id}/unhide`)).statusCode).toBe(200);
    await t.app.services.mailer.deliverPending();
    const received = await smtp.waitFor((m) => m.to.includes(cast.people.student.email.toLowerCase()));

    // The mail itself (headers others handle) names nothing.
    expect(received.subject).toBe(DISCREET_EMAIL.subject);
    expect(received.text).not.toContain(id);
    expect(received.text).not.toContain('ward 12');
    // Once delivered, the outbox keeps neither recipient nor subject of a personal notification.
    expect(
      await db().select().from(mailOutbox).where(eq(mailOutbox.toAddress, cast.people.student.email)),
    ).toHaveLength(0);
    const delivered = await db().select().from(mailOutbox).where(eq(mailOutbox.personal, true));
    expect(delivered.length).toBeGreaterThan(0);
    for (const row of delivered) {
      if (row.sentAt) expect(row).toMatchObject({ toAddress: '', subject: '', textBody: '' });
    }
    expect(JSON.stringify(delivered)).not.toContain(`#${number}`);
    const admin = await signedIn(t, cast.people.admin.id);
    const outbox = await admin.get('/api/admin/mail-outbox');
    expect(outbox.statusCode).toBe(200);
    const listed = outbox.json() as { to: string; subject: string }[];
    expect(listed.some((m) => m.to === cast.people.student.email)).toBe(false);
    expect(JSON.stringify(listed)).not.toContain(`#${number}`);
    // Nor does the concern, for the admin.
    const seen = (await admin.get(`/api/concerns/${id}`)).json() as ConcernDetail;
    expect(seen.author).toBeNull();
  });

  it('an admin cannot make themselves a lead unseen to learn who wrote it', async () => {
    const cast = await buildConcernsCast(t);
    const admin = await signedIn(t, cast.people.admin.id);
    const added = await admin.post(`/api/admin/networks/${cast.network.id}/members`, {
      userId: cast.people.admin.id,
      kind: 'staff',
      yearOfStudy: null,
      role: 'lead',
      leadTitle: 'action_lead',
    });
    expect(added.statusCode).toBe(201);
    for (const chair of [cast.people.chair, cast.people.staffChair]) {
      const told = await db()
        .select()
        .from(notifications)
        .where(and(eq(notifications.userId, chair.id), eq(notifications.kind, 'network.self_appointed')));
      expect(told).toHaveLength(1);
      expect(told[0]!.subject).toBe(
        `${cast.people.admin.name}, an administrator, made themselves an action lead of ${cast.network.name}`,
      );
    }
    await t.app.services.mailer.deliverPending();
    const mail = await smtp.waitFor(
      (m) => m.to.includes(cast.people.staffChair.email.toLowerCase()) && m.subject.includes('administrator'),
    );
    expect(mail.text).toContain('anonymous to members');
  });
});

describe('edit history', () => {
  it('members cannot read a concern’s earlier wording', async () => {
    const cast = await buildConcernsCast(t);
    const author = await signedIn(t, cast.people.student.id);
    const { id } = (
      await author.post(
        `/api/networks/${cast.network.id}/concerns`,
        validConcern({
          description: 'Dr Okafor on ward 12 told me my hijab was unhygienic in front of the whole team.',
          visibility: 'anonymous_to_members',
        }),
      )
    ).json() as { id: string };
    // The author takes the identifying detail out.
    const edited = await author.patch(`/api/concerns/${id}`, {
      description: 'A consultant told me my hijab was unhygienic in front of the whole team.',
    });
    expect(edited.statusCode, edited.body).toBe(200);

    for (const who of [cast.people.student2, cast.people.staff, cast.people.admin]) {
      const seen = await (await signedIn(t, who.id)).get(`/api/concerns/${id}`);
      expect(seen.statusCode).toBe(200);
      expect(seen.body).not.toContain('Okafor');
      const edit = (seen.json() as ConcernDetail).timeline.find((e) => e.kind === 'edited')!;
      expect(edit.data).toEqual({ fields: ['description'] });
    }
    // The audit log (which cannot be redacted) names the field, not the wording.
    const audit = await db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.subjectId, id), eq(auditEvents.action, 'concerns.edit')));
    expect(audit).toHaveLength(1);
    expect(JSON.stringify(audit[0]!.data)).not.toContain('Okafor');

    // The leads read it, and may remove it, with a reason; members may not.
    const chair = await signedIn(t, cast.people.chair.id);
    const forLead = (await chair.get(`/api/concerns/${id}`)).json() as ConcernDetail;
    expect(forLead.may.redactHistory).toBe(true);
    const edit = forLead.timeline.find((e) => e.kind === 'edited')!;
    expect(JSON.stringify(edit.data)).toContain('Okafor');
    const url = `/api/concerns/${id}/history/${edit.id}/redact`;
    const member = await signedIn(t, cast.people.student2.id);
    expect((await member.post(url, { reason: 'Names a consultant' })).statusCode).toBe(403);
    expect((await chair.post(url, { reason: 'x' })).statusCode).toBe(400);
    const redacted = await chair.post(url, { reason: 'It named a consultant' });
    expect(redacted.statusCode, redacted.body).toBe(200);
    expect(redacted.body).not.toContain('Okafor');
    const after = (redacted.json() as ConcernDetail).timeline.find((e) => e.kind === 'edited')!;
    expect(after.data).toMatchObject({
      fields: ['description'],
      redacted: { reason: 'It named a consultant' },
    });
    expect((await chair.post(url, { reason: 'Again, to be sure' })).statusCode).toBe(409);
    const [row] = await db().select().from(concernEvents).where(eq(concernEvents.id, edit.id));
    expect(JSON.stringify(row!.data)).not.toContain('Okafor');
    const [event] = await db()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.subjectId, id), eq(auditEvents.action, 'concerns.history_redact')));
    expect(event).toMatchObject({ actorUserId: cast.people.chair.id });
    expect(event!.data).toMatchObject({ eventId: edit.id, reason: 'It named a consultant' });
    // Members see that the wording was removed, and why.
    const later = (await member.get(`/api/concerns/${id}`)).json() as ConcernDetail;
    expect(later.timeline.find((e) => e.kind === 'edited')!.data).toMatchObject({
      redacted: { reason: 'It named a consultant' },
    });
  });
});

describe('removed members', () => {
  it('a removed member gets no notifications of a concern they supported', async () => {
    const cast = await buildConcernsCast(t);
    const author = await signedIn(t, cast.people.student.id);
    const { id } = (
      await author.post(
        `/api/networks/${cast.network.id}/concerns`,
        validConcern({ title: 'Prayer room closed' }),
      )
    ).json() as { id: string };
    const supporter = await signedIn(t, cast.people.student3.id);
    expect((await supporter.post(`/api/concerns/${id}/support`)).statusCode).toBe(200);
    await db()
      .delete(memberships)
      .where(
        and(eq(memberships.userId, cast.people.student3.id), eq(memberships.networkId, cast.network.id)),
      );
    const chair = await signedIn(t, cast.people.chair.id);
    const answered = await chair.post(`/api/concerns/${id}/triage`, {
      status: 'answered',
      answer: 'The prayer room reopens on Monday.',
    });
    expect(answered.statusCode, answered.body).toBe(200);
    expect(
      await db().select().from(notifications).where(eq(notifications.userId, cast.people.student3.id)),
    ).toHaveLength(0);
    expect(
      await db().select().from(mailOutbox).where(eq(mailOutbox.toAddress, cast.people.student3.email)),
    ).toHaveLength(0);
    // The author, still a member, is told.
    expect(
      await db().select().from(notifications).where(eq(notifications.userId, cast.people.student.id)),
    ).toHaveLength(1);
  });
});
