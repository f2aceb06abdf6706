import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifications, users } from '../../db/schema';
import { createTestApp, type TestApp } from '../test/app';
import { buildUser } from '../test/factories';
import { startTestSmtp, type TestSmtp } from '../test/smtp';
import { listNotifications, markRead, notify, setPreferences } from './notifications';

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

describe('notifications', () => {
  it('writes one in-app row each and e-mails only those who allow it (over real SMTP)', async () => {
    const db = t.database.db;
    const [wants, declines, disabled] = [await buildUser(db), await buildUser(db), await buildUser(db)];
    await db.transaction((tx) => setPreferences(tx, declines.id, { email: false, weeklyDigest: true }));
    await db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, disabled.id));
    const mail = { mailer: t.app.services.mailer, publicUrl: 'https://upstander.example' };
    const result = await db.transaction((tx) =>
      notify(tx, {
        userIds: [wants.id, declines.id, disabled.id, wants.id],
        kind: 'concern.status',
        subject: 'Concern #4 “Kara in theatre”: answered',
        link: '/concerns/abc',
        email: { subject: 'Concern #4 answered', text: 'The leads answered it.' },
        mail,
      }),
    );
    expect(result).toEqual({ notified: 2, emailed: 1 });
    const rows = await db.select().from(notifications);
    expect(rows.map((r) => r.userId).sort()).toEqual([wants.id, declines.id].sort());
    await t.app.services.mailer.deliverPending();
    const received = await smtp.waitFor((m) => m.to.includes(wants.email.toLowerCase()));
    expect(received.subject).toBe('Concern #4 answered');
    expect(received.text).toContain('https://upstander.example/concerns/abc');
    expect(smtp.messages.some((m) => m.to.includes(declines.email.toLowerCase()))).toBe(false);
  });

  it('rolls back with the change that caused it', async () => {
    const db = t.database.db;
    const person = await buildUser(db);
    await expect(
      db.transaction(async (tx) => {
        await notify(tx, { userIds: [person.id], kind: 'x', subject: 'x', link: '/x' });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await db.select().from(notifications).where(eq(notifications.userId, person.id))).toHaveLength(0);
  });

  it('lists newest first, counts unread, and marks only one’s own as read', async () => {
    const db = t.database.db;
    const [me, other] = [await buildUser(db), await buildUser(db)];
    for (const [i, userId] of [me.id, me.id, other.id].entries()) {
      await db.transaction((tx) =>
        notify(tx, {
          userIds: [userId],
          kind: 'k',
          subject: `n${i}`,
          link: '/x',
          at: new Date(Date.UTC(2026, 10, 1 + i)),
        }),
      );
    }
    const list = await listNotifications(db, me.id, { page: 1 });
    expect(list.items.map((n) => n.subject)).toEqual(['n1', 'n0']);
    expect(list.unread).toBe(2);
    const othersId = (await listNotifications(db, other.id, { page: 1 })).items[0]!.id;
    expect(await markRead(db, me.id, { ids: [list.items[0]!.id, othersId] })).toEqual({ unread: 1 });
    expect((await listNotifications(db, other.id, { page: 1 })).unread).toBe(1);
    expect(await markRead(db, me.id, { all: true })).toEqual({ unread: 0 });
  });
});
