import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mailOutbox, notifications, users } from '../../db/schema';
import { createTestApp, type TestApp } from '../test/app';
import { addMember, buildInstitution, buildNetwork, buildUser } from '../test/factories';
import { startTestSmtp, type TestSmtp } from '../test/smtp';
import { DISCREET_EMAIL, listNotifications, markRead, notify, setPreferences } from './notifications';

let t: TestApp;
let smtp: TestSmtp;
let networkId: string;
/** A person who belongs to the test network. */
async function member() {
  const user = await buildUser(t.database.db);
  await addMember(t.database.db, { userId: user.id, networkId });
  return user;
}
beforeAll(async () => {
  smtp = await startTestSmtp();
  t = await createTestApp({ env: { SMTP_URL: smtp.url } });
  const institution = await buildInstitution(t.database.db);
  networkId = (await buildNetwork(t.database.db, institution.id)).id;
});
afterAll(async () => {
  await t.close();
  await smtp.close();
});

describe('notifications', () => {
  it('writes one in-app row each and e-mails only those who allow it (over real SMTP)', async () => {
    const db = t.database.db;
    const [wants, declines, disabled] = [await member(), await member(), await member()];
    await db.transaction((tx) => setPreferences(tx, declines.id, { email: false, weeklyDigest: true }));
    await db.update(users).set({ disabledAt: new Date() }).where(eq(users.id, disabled.id));
    const mail = { mailer: t.app.services.mailer, publicUrl: 'https://upstander.example' };
    const result = await db.transaction((tx) =>
      notify(tx, {
        userIds: [wants.id, declines.id, disabled.id, wants.id],
        networkId,
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
    const person = await member();
    await expect(
      db.transaction(async (tx) => {
        await notify(tx, { userIds: [person.id], networkId, kind: 'x', subject: 'x', link: '/x' });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await db.select().from(notifications).where(eq(notifications.userId, person.id))).toHaveLength(0);
  });

  it('lists newest first, counts unread, and marks only one’s own as read', async () => {
    const db = t.database.db;
    const [me, other] = [await member(), await member()];
    for (const [i, userId] of [me.id, me.id, other.id].entries()) {
      await db.transaction((tx) =>
        notify(tx, {
          userIds: [userId],
          networkId,
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

  it('a removed member gets no notifications of the network', async () => {
    const db = t.database.db;
    const [stays, removed] = [await member(), await buildUser(db)];
    const mail = { mailer: t.app.services.mailer, publicUrl: 'https://upstander.example' };
    const result = await db.transaction((tx) =>
      notify(tx, {
        userIds: [stays.id, removed.id],
        networkId,
        kind: 'meeting.minutes',
        subject: 'Minutes published',
        link: '/meetings/x',
        email: { subject: 'Minutes', text: 'Published.' },
        mail,
      }),
    );
    expect(result).toEqual({ notified: 1, emailed: 1 });
    expect(await db.select().from(notifications).where(eq(notifications.userId, removed.id))).toHaveLength(0);
    expect(await db.select().from(mailOutbox).where(eq(mailOutbox.toAddress, removed.email))).toHaveLength(0);
  });

  it('a discreet recipient’s e-mail does not name what it is about, and is personal mail', async () => {
    const db = t.database.db;
    const [author, supporter] = [await member(), await member()];
    const mail = { mailer: t.app.services.mailer, publicUrl: 'https://upstander.example' };
    await db.transaction((tx) =>
      notify(tx, {
        userIds: [author.id, supporter.id],
        networkId,
        discreetFor: [author.id],
        kind: 'concern.status',
        subject: 'Concern #13 “Racist joke on the ward”: answered',
        link: '/concerns/c13',
        email: {
          subject: 'Concern #13 answered',
          text: 'Concern #13 “Racist joke on the ward” was answered.',
        },
        mail,
      }),
    );
    const [toAuthor] = await db.select().from(mailOutbox).where(eq(mailOutbox.toAddress, author.email));
    expect(toAuthor).toMatchObject({ subject: DISCREET_EMAIL.subject, personal: true });
    expect(toAuthor!.textBody).not.toMatch(/#13|ward|c13/);
    const [toSupporter] = await db.select().from(mailOutbox).where(eq(mailOutbox.toAddress, supporter.email));
    expect(toSupporter).toMatchObject({ subject: 'Concern #13 answered', personal: true });
    // In the app the author still reads what happened.
    const [inApp] = await db.select().from(notifications).where(eq(notifications.userId, author.id));
    expect(inApp!.subject).toContain('#13');
  });
});
