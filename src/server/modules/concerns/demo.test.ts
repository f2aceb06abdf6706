import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actions, concernSupports, concerns, networks } from '../../../db/schema';
import { createTestApp, type TestApp } from '../../test/app';
import { loadIdentityDemo } from '../identity/demo';
import { actorFor } from '../meetings/access';
import { concernsDashboard } from './dashboard';
import { loadConcernsDemo } from './demo';
import { impactBoard } from './impact';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('concerns demo data', () => {
  it('seeds every state through the domain functions, with one overdue concern and one stale action, once', async () => {
    const db = t.database.db;
    await loadIdentityDemo(t.app.services);
    expect(await loadConcernsDemo(t.app.services)).toContain('Concerns demo: 14 concerns');
    expect(await loadConcernsDemo(t.app.services)).toContain('already there');
    const [race] = await db.select().from(networks).where(eq(networks.slug, 'northrace'));
    const rows = await db.select().from(concerns).where(eq(concerns.networkId, race!.id));
    expect(new Set(rows.map((r) => r.status))).toEqual(
      new Set(['new', 'under_discussion', 'accepted', 'answered', 'not_taken_forward']),
    );
    expect(rows.filter((r) => r.hiddenAt)).toHaveLength(1);
    expect(rows.find((r) => r.visibility === 'anonymous')!.authorId).toBeNull();
    for (const r of rows) {
      const supports = await db.select().from(concernSupports).where(eq(concernSupports.concernId, r.id));
      expect(r.supportCount).toBe(supports.length);
    }
    const [chairRow] = await db
      .select({ id: actions.createdBy })
      .from(actions)
      .where(and(eq(actions.networkId, race!.id), eq(actions.title, 'Inclusive theatre headwear')));
    const chair = await actorFor(db, chairRow!.id!);
    const dashboard = await concernsDashboard(db, chair, race!.id, 12);
    expect(dashboard.overdueConcerns.map((c) => c.title)).toEqual([
      'Patients’ racist remarks on placement are brushed off by supervisors',
    ]);
    expect(dashboard.staleActions.map((a) => a.title)).toEqual(['Students on appointment panels']);
    const board = await impactBoard(db, { network: 'northrace', page: 1, pageSize: 20 });
    const headwear = board.items.find((i) => i.title === 'Inclusive theatre headwear')!;
    expect(headwear).toMatchObject({ status: 'completed', progress: 100 });
    expect(board.items.map((i) => i.title)).toContain(
      'Kara in theatre: policy review with Northfield General Hospital NHS Trust',
    );
  });
});
