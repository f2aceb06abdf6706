// Journey: an administrator reads the audit log's head hash (to keep outside Upstander), checks the
// chain against it, and sees a wrong kept hash reported; the page fits a 320 px screen.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { recordAudit } from '../src/server/platform/audit/audit';
import { buildUser, TEST_PASSWORD } from '../src/server/test/factories';
import { expectNoAxeViolations } from './support/axe';
import { EXPECTED_HTTP_ERRORS, type Journey, section, signInWithTotp, startJourney } from './support/journey';

let j: Journey;
let admin: Awaited<ReturnType<typeof buildUser>>;
beforeAll(async () => {
  j = await startJourney();
  admin = await buildUser(j.server.db, {
    name: 'Ada Admin',
    isAdmin: true,
    totpMasterKey: j.server.masterKey,
  });
  // One audited change, so the log has a head.
  await j.server.db.transaction((tx) =>
    recordAudit(tx, {
      actorUserId: admin.id,
      action: 'users.create',
      subjectType: 'user',
      subjectId: admin.id,
    }),
  );
}, 180_000);
afterAll(() => j?.close());

it('an admin copies the head hash and checks the chain against a kept one', async () => {
  const { page } = j;
  await signInWithTotp(j, admin, TEST_PASSWORD);
  await page.setViewportSize({ width: 320, height: 700 });
  await j.visit('/admin/audit', 'audit log');
  const head = section(page, 'Head hash to keep elsewhere');
  const hash = (await head.locator('code').first().textContent())?.trim() ?? '';
  expect(hash).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, `the audit page scrolls sideways by ${overflow}px at 320 px`).toBeLessThanOrEqual(0);

  const check = section(page, 'Check the chain');
  await check.getByLabel('Head hash you kept earlier (optional)').fill(hash);
  await check.getByRole('button', { name: 'Verify chain' }).click();
  await page.getByText('and the head hash you kept is in it').waitFor();

  await check.getByLabel('Head hash you kept earlier (optional)').fill(`hmac-sha256:${'0'.repeat(64)}`);
  await check.getByRole('button', { name: 'Verify chain' }).click();
  await page.getByRole('alert').getByText('the head hash you kept is not in the chain').waitFor();
  await expectNoAxeViolations(page, 'audit log with a failed check');
  j.browser.expectClean({ ignoreConsole: [EXPECTED_HTTP_ERRORS] });
});
