import { and, count, desc, eq, inArray, isNull } from 'drizzle-orm';
import type { Db, Tx } from '../../db/client';
import { memberships, notificationPreferences, notifications, users } from '../../db/schema';
import type { Mailer } from './mail';

/**
 * In-app notifications, and the same by e-mail for people who want it (each person chooses; the
 * default is yes). A notification carries a short subject and a link inside the app: never the
 * content of a report. Rows and mail are written in the caller's transaction, so they exist
 * exactly when the change they announce does; the mail outbox delivers afterwards.
 */

/** How to send the e-mail copies: the app's mailer and its public address (for the link). */
export type NotifyMail = { mailer: Pick<Mailer, 'queue'>; publicUrl: string };

export type NotifyInput = {
  userIds: readonly string[];
  /**
   * The network the news is about: only its current members are told (someone removed from it
   * hears nothing more of its concerns and meetings).
   */
  networkId: string;
  /**
   * People whose e-mail copy must not name what it is about (e.g. the author of a concern that is
   * anonymous to members: mail headers and the outbox are read by others). They get a generic
   * subject and a link to their notifications; the in-app notification is theirs alone and says more.
   */
  discreetFor?: readonly string[];
  /** A dotted kind, e.g. `concern.status`, `action.update`, `meeting.invited`. */
  kind: string;
  /** One line, no report content (a concern's title is fine). */
  subject: string;
  /** A path inside the app, e.g. `/concerns/<id>`. */
  link: string;
  /** The e-mail copy for people whose preference allows it; the link is appended to the text. */
  email?: { subject: string; text: string };
  /** Without it no e-mail is queued (only the in-app notification is written). */
  mail?: NotifyMail | null;
  /** When it happened (demo data back-dates it). */
  at?: Date;
};

/** Whether someone wants e-mail copies: yes unless they said no. */
export async function preferencesOf(db: Db | Tx, userId: string) {
  const [row] = await db
    .select({ email: notificationPreferences.email, weeklyDigest: notificationPreferences.weeklyDigest })
    .from(notificationPreferences)
    .where(eq(notificationPreferences.userId, userId));
  return row ?? { email: true, weeklyDigest: true };
}

export async function setPreferences(
  tx: Tx,
  userId: string,
  preferences: { email: boolean; weeklyDigest: boolean },
): Promise<{ email: boolean; weeklyDigest: boolean }> {
  await tx
    .insert(notificationPreferences)
    .values({ userId, ...preferences, updatedAt: new Date() })
    .onConflictDoUpdate({
      target: notificationPreferences.userId,
      set: { ...preferences, updatedAt: new Date() },
    });
  return preferences;
}

/** The e-mail a discreet recipient gets instead: nothing in it names the concern. */
export const DISCREET_EMAIL = {
  subject: 'An update on something you raised',
  text: 'There is an update on something you raised. Sign in to read it:',
  link: '/notifications',
};

/**
 * Notifies people: one in-app row each, and an e-mail to those who allow it (and whose account
 * is not disabled), current members of the network only. Duplicate ids are notified once. The
 * mail is marked personal, so the admins' outbox page does not list it. Returns how many of each
 * were written.
 */
export async function notify(tx: Tx, input: NotifyInput): Promise<{ notified: number; emailed: number }> {
  const userIds = [...new Set(input.userIds)];
  if (userIds.length === 0) return { notified: 0, emailed: 0 };
  const people = await tx
    .select({
      id: users.id,
      email: users.email,
      wantsEmail: notificationPreferences.email,
    })
    .from(users)
    .innerJoin(memberships, and(eq(memberships.userId, users.id), eq(memberships.networkId, input.networkId)))
    .leftJoin(notificationPreferences, eq(notificationPreferences.userId, users.id))
    .where(and(inArray(users.id, userIds), isNull(users.disabledAt)));
  if (people.length === 0) return { notified: 0, emailed: 0 };
  const at = input.at ?? new Date();
  await tx.insert(notifications).values(
    people.map((p) => ({
      userId: p.id,
      kind: input.kind,
      subject: input.subject,
      link: input.link,
      createdAt: at,
    })),
  );
  let emailed = 0;
  if (input.email && input.mail) {
    const discreet = new Set(input.discreetFor ?? []);
    for (const person of people) {
      if (person.wantsEmail === false) continue;
      const email = discreet.has(person.id) ? DISCREET_EMAIL : { ...input.email, link: input.link };
      await input.mail.mailer.queue(tx as unknown as Db, {
        to: person.email,
        subject: email.subject,
        text: `${email.text}\n\n${input.mail.publicUrl}${email.link}\n\nYou can choose which e-mails you receive at ${input.mail.publicUrl}/notifications.`,
        personal: true,
      });
      emailed++;
    }
  }
  return { notified: people.length, emailed };
}

export const NOTIFICATIONS_PAGE_SIZE = 30;

/** A person's notifications, newest first, with how many are unread. */
export async function listNotifications(
  db: Db | Tx,
  userId: string,
  options: { unread?: boolean | undefined; page: number },
) {
  const mine = and(
    eq(notifications.userId, userId),
    options.unread ? isNull(notifications.readAt) : undefined,
  );
  const rows = await db
    .select()
    .from(notifications)
    .where(mine)
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(NOTIFICATIONS_PAGE_SIZE)
    .offset((options.page - 1) * NOTIFICATIONS_PAGE_SIZE);
  const [total] = await db.select({ n: count() }).from(notifications).where(mine);
  return {
    items: rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      subject: r.subject,
      link: r.link,
      readAt: r.readAt?.toISOString() ?? null,
      createdAt: r.createdAt.toISOString(),
    })),
    unread: await unreadCount(db, userId),
    total: total?.n ?? 0,
    page: options.page,
    pageSize: NOTIFICATIONS_PAGE_SIZE,
  };
}

export async function unreadCount(db: Db | Tx, userId: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(notifications)
    .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)));
  return row?.n ?? 0;
}

/** Marks some (only one's own: other ids are ignored) or all notifications read. */
export async function markRead(
  db: Db | Tx,
  userId: string,
  which: { ids?: string[] | undefined; all?: boolean | undefined },
  now = new Date(),
): Promise<{ unread: number }> {
  await db
    .update(notifications)
    .set({ readAt: now })
    .where(
      and(
        eq(notifications.userId, userId),
        isNull(notifications.readAt),
        which.all ? undefined : inArray(notifications.id, which.ids ?? []),
      ),
    );
  return { unread: await unreadCount(db, userId) };
}
