import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import nodemailer from 'nodemailer';
import type { Db } from '../../db/client';
import { type MailAttachment, mailOutbox } from '../../db/schema';

export type MailMessage = {
  to: string;
  subject: string;
  text: string;
  /** Text files sent along, e.g. an iCalendar invitation (`text/calendar; method=REQUEST`). */
  attachments?: MailAttachment[];
  /** A notification to this one person: the admins' outbox page lists it to them only. */
  personal?: boolean;
};

export type Mailer = {
  transport: 'smtp' | 'dev';
  /** Writes the mail into the outbox inside the caller's transaction: it exists exactly if the change does. */
  queue(tx: Db, message: MailMessage): Promise<void>;
  /** Delivers queued SMTP mail. Safe with several instances: each row is claimed before it is sent. */
  deliverPending(): Promise<number>;
  close(): void;
};

export function createMailer(options: {
  db: Db;
  smtpUrl?: string | undefined;
  from: string;
  log: FastifyBaseLogger;
}): Mailer {
  const { db, from, log } = options;
  const smtp = options.smtpUrl ? nodemailer.createTransport(options.smtpUrl) : null;
  const transport = smtp ? 'smtp' : 'dev';
  let running: Promise<number> | null = null;

  async function deliverBatch(): Promise<number> {
    if (!smtp) return 0;
    let delivered = 0;
    for (;;) {
      const claimed = await db
        .update(mailOutbox)
        .set({ claimedAt: new Date(), attempts: sql`${mailOutbox.attempts} + 1` })
        .where(
          sql`${mailOutbox.id} in (select id from ${mailOutbox} where ${and(
            eq(mailOutbox.transport, 'smtp'),
            isNull(mailOutbox.sentAt),
            lt(mailOutbox.attempts, 5),
            or(isNull(mailOutbox.claimedAt), lt(mailOutbox.claimedAt, sql`now() - interval '5 minutes'`)),
          )} order by created_at limit 20 for update skip locked)`,
        )
        .returning();
      if (claimed.length === 0) return delivered;
      for (const mail of claimed) {
        try {
          await smtp.sendMail({
            from,
            to: mail.toAddress,
            subject: mail.subject,
            text: mail.textBody,
            ...withCalendarAlternative(mail.attachments ?? []),
          });
          // Sent mail may carry one-time links: keep the record, drop the body. A personal
          // notification keeps neither its recipient nor its subject: who was told what about
          // which concern is not left for anyone reading the table.
          await db
            .update(mailOutbox)
            .set({
              sentAt: new Date(),
              textBody: '',
              attachments: null,
              error: null,
              ...(mail.personal ? { toAddress: '', subject: '' } : {}),
            })
            .where(eq(mailOutbox.id, mail.id));
          delivered++;
        } catch (error) {
          log.warn({ mailId: mail.id, err: error }, 'mail delivery failed; will retry');
          await db
            .update(mailOutbox)
            .set({ claimedAt: null, error: (error as Error).message.slice(0, 500) })
            .where(eq(mailOutbox.id, mail.id));
        }
      }
    }
  }

  return {
    transport,
    async queue(tx, message) {
      await tx.insert(mailOutbox).values({
        toAddress: message.to,
        subject: message.subject,
        textBody: message.text,
        ...(message.attachments?.length ? { attachments: message.attachments } : {}),
        personal: message.personal ?? false,
        transport,
        ...(transport === 'dev' ? { sentAt: new Date() } : {}),
      });
    },
    deliverPending() {
      // One delivery run at a time per instance; callers share the run in progress.
      running ??= deliverBatch().finally(() => {
        running = null;
      });
      return running;
    },
    close() {
      smtp?.close();
    },
  };
}

/**
 * A calendar invitation (`text/calendar; method=…`) goes out the way mail clients expect a meeting:
 * as a `text/calendar` alternative to the text, which Outlook and Gmail show with Accept/Decline,
 * plus the same file attached (nodemailer's `icalEvent` builds both). Other files stay attachments.
 */
export function withCalendarAlternative(attachments: MailAttachment[]): {
  attachments?: MailAttachment[];
  icalEvent?: { method: string; filename: string; content: string };
} {
  const invitation = attachments.find((a) => /^text\/calendar\b.*\bmethod=/i.test(a.contentType));
  const others = attachments.filter((a) => a !== invitation);
  const method = invitation ? /\bmethod=([A-Za-z]+)/i.exec(invitation.contentType)![1]!.toUpperCase() : null;
  return {
    ...(others.length ? { attachments: others } : {}),
    ...(invitation && method
      ? { icalEvent: { method, filename: invitation.filename, content: invitation.content } }
      : {}),
  };
}

/** Links that act for the person they were sent to: password reset, invitation, first-admin set-up. */
const ONE_TIME_LINK =
  /\b(https?:\/\/[^\s/]+(?:\/[^\s/]+)*?\/(?:reset-password|invite|setup))\/[A-Za-z0-9_-]{20,100}/g;

/**
 * A mail's text as the development outbox shows it to someone other than its recipient: a working
 * reset, invitation or set-up link would let whoever reads the outbox act as that person, so
 * the token is replaced by a note (the recipient still sees their own mail whole).
 */
export function redactOneTimeLinks(text: string): string {
  return text.replace(ONE_TIME_LINK, '$1/[link hidden: only the person it was sent to can use it]');
}
