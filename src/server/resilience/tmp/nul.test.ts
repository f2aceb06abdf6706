import { it } from 'vitest';
import { createTestApp } from '../../test/app';
import { buildFixture, requestAs } from '../../test/matrix';
it('nul', async () => {
  const t = await createTestApp();
  const f = await buildFixture(t.database.db, t.app.services.masterKey);
  for (const name of ['a\u0000b', 'x\uD800y']) {
    const r = await requestAs(t.app, 'member', f, 'PATCH', { url: '/api/profile', body: { name } });
    console.log('profile', JSON.stringify(name), r.statusCode, r.body.slice(0, 200));
    const c = await requestAs(t.app, 'member', f, 'POST', { url: `/api/networks/${f.networkId}/concerns`, body: { title: `Title ${name} long enough`, description: `Description ${name} that is long enough to pass.`, category: 'curriculum', visibility: 'named' } });
    console.log('concern', c.statusCode, c.body.slice(0, 200));
    const n = await requestAs(t.app, 'admin', f, 'PATCH', { url: `/api/admin/networks/${f.networkId}`, body: { description: `d ${name}` } });
    console.log('network', n.statusCode, n.body.slice(0, 200));
  }
  await t.close();
}, 60000);
