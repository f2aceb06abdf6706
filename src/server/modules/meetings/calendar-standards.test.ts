import nodeIcal from 'node-ical';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test/app';
import { addMember, buildInstitution, buildNetwork, buildUser } from '../../test/factories';
import { startTestSmtp, type TestSmtp } from '../../test/smtp';
import { nthWeekdayOfMonth } from './time';

// Meeting e-mails and calendars, read with tools that did not write them: the raw MIME as it came
// over SMTP, and node-ical (not ical.js, not ical-generator) for the calendar text.

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
const YEAR = new Date().getUTCFullYear() + 1;

/** A signed-in client (sign-in itself is tested in identity). */
const signIn = (user: { id: string }) => t.signedIn(user);

/** Every line ends in CRLF, none is longer than 75 octets, and the text ends with END:VCALENDAR CRLF. */
function expectRfc5545Lines(text: string) {
  expect(text.endsWith('END:VCALENDAR\r\n')).toBe(true);
  const lines = text.slice(0, -2).split('\r\n');
  for (const line of lines) {
    expect(line.includes('\n') || line.includes('\r'), `bare line break in ${JSON.stringify(line)}`).toBe(
      false,
    );
    expect(Buffer.byteLength(line, 'utf8'), line).toBeLessThanOrEqual(75);
  }
}

describe('a meeting invitation', () => {
  it('is a meeting to mail clients: text and text/calendar alternatives, the file attached, the co-chair as organizer', async () => {
    const institution = await buildInstitution(db());
    const network = await buildNetwork(db(), institution.id, { name: 'SouthRACE' });
    const chair = await buildUser(db(), { name: 'Aisha Rahman' });
    await addMember(db(), { userId: chair.id, networkId: network.id, role: 'lead', leadTitle: 'co_chair' });
    const student = await buildUser(db(), { name: 'Sam Student' });
    await addMember(db(), { userId: student.id, networkId: network.id, yearOfStudy: 2 });

    const chairClient = await signIn(chair);
    const starts = nthWeekdayOfMonth(YEAR, 3, 2, 3);
    const poll = await chairClient.post(`/api/networks/${network.id}/polls`, {
      title: 'March network meeting',
      timeZone: 'Europe/London',
      slots: [{ startsLocal: `${starts}T17:30`, durationMinutes: 60, place: 'Seminar room 2' }],
      requiredUserIds: [],
      minStudents: 1,
    });
    expect(poll.statusCode, poll.body).toBe(201);
    const slotId = poll.json().slots[0].id;
    const studentClient = await signIn(student);
    const answered = await studentClient.put(`/api/polls/${poll.json().id}/answers`, {
      answers: [{ slotId, answer: 'yes' }],
    });
    expect(answered.statusCode, answered.body).toBe(200);
    const confirmed = await chairClient.post(`/api/polls/${poll.json().id}/confirm`, { slotId });
    expect(confirmed.statusCode, confirmed.body).toBe(201);
    await t.app.services.mailer.deliverPending();
    const mail = await smtp.waitFor(
      (m) => m.to.includes(student.email) && m.subject.startsWith('Invitation'),
    );

    // The MIME structure Outlook and Gmail turn into Accept/Decline.
    const raw = mail.raw.replace(/\r\n/g, '\n');
    expect(raw).toMatch(/Content-Type: multipart\/mixed/i);
    expect(raw).toMatch(/Content-Type: multipart\/alternative/i);
    expect(raw).toMatch(/Content-Type: text\/plain/i);
    expect(raw).toMatch(/Content-Type: text\/calendar; charset=utf-8; method=REQUEST/i);
    expect(raw).toMatch(/Content-Type: application\/ics; name=invite\.ics/i);
    const alternative = raw.indexOf('multipart/alternative');
    expect(raw.indexOf('text/calendar')).toBeGreaterThan(alternative);

    // The attached file travels base64-encoded, byte for byte: decode it from the wire ourselves.
    const part = /Content-Type: application\/ics[^\n]*\n(?:[^\n]+\n)*\n([A-Za-z0-9+/=\n]+)/i.exec(raw);
    expect(part, 'an application/ics part').not.toBeNull();
    const ics = Buffer.from(part![1]!.replace(/\n/g, ''), 'base64').toString('utf8');
    expect(mail.attachments.some((a) => a.mimeType === 'text/calendar')).toBe(true);
    expectRfc5545Lines(ics);
    const parsed = nodeIcal.sync.parseICS(ics);
    const event = Object.values(parsed).find((c) => c?.type === 'VEVENT') as nodeIcal.VEvent;
    expect(event.summary).toBe('March network meeting');
    expect(
      String(event.organizer && typeof event.organizer === 'object' ? event.organizer.val : event.organizer),
    ).toBe(`mailto:${chair.email}`);
    expect(event.start.toISOString()).toBe(`${starts}T17:30:00.000Z`);
  });

  it('a calendar feed ends its last line with CRLF and parses with node-ical', async () => {
    const institution = await buildInstitution(db());
    const network = await buildNetwork(db(), institution.id);
    const member = await buildUser(db(), { name: 'Feed Reader' });
    await addMember(db(), { userId: member.id, networkId: network.id, yearOfStudy: 1 });
    const client = await signIn(member);
    const feed = await client.post('/api/calendar/feeds');
    expect(feed.statusCode, feed.body).toBe(201);
    const response = await t.app.inject({ method: 'GET', url: new URL(feed.json().url).pathname });
    expect(response.statusCode).toBe(200);
    expectRfc5545Lines(response.body);
    expect(response.body.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    const parsed = nodeIcal.sync.parseICS(response.body);
    expect(parsed.vcalendar ?? Object.values(parsed).find((c) => c?.type === 'VCALENDAR')).toBeDefined();
  });
});
