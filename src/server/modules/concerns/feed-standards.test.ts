import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Element, xml2js } from 'xml-js';
import { loadDemo } from '../../demo';
import { createTestApp, type TestApp } from '../../test/app';

// The impact board's Atom feed, read with a general XML parser (xml-js, not the `feed` library that
// writes it) and held to RFC 4287's required elements, as feed validators and readers hold it.

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await loadDemo(t.app.services);
}, 120_000);
afterAll(() => t?.close());

const ATOM = 'http://www.w3.org/2005/Atom';
const children = (e: Element | undefined, name: string) => (e?.elements ?? []).filter((c) => c.name === name);
const text = (e: Element | undefined) => (e?.elements ?? []).map((c) => c.text ?? c.cdata ?? '').join('');
const isDate = (s: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s);

describe('the impact Atom feed (RFC 4287)', () => {
  it('has the required feed and entry elements, an author for every entry, and a self link', async () => {
    const response = await t.client().get('/api/impact/feed.atom');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/atom\+xml/);
    const document = xml2js(response.body, { compact: false }) as Element;
    const feed = children(document, 'feed')[0];
    expect(feed?.attributes?.xmlns).toBe(ATOM);

    // §4.1.1: exactly one id, title and updated; an author unless every entry has one.
    for (const name of ['id', 'title', 'updated']) expect(children(feed, name), name).toHaveLength(1);
    expect(isDate(text(children(feed, 'updated')[0]))).toBe(true);
    const feedAuthors = children(feed, 'author');
    expect(feedAuthors.length).toBeGreaterThanOrEqual(1);
    for (const author of feedAuthors) expect(text(children(author, 'name')[0]).length).toBeGreaterThan(0);
    // §4.2.7.2: a feed SHOULD link to itself.
    const self = children(feed, 'link').find((l) => l.attributes?.rel === 'self');
    expect(self?.attributes?.href).toMatch(/\/api\/impact\/feed\.atom$/);

    const entries = children(feed, 'entry');
    expect(entries.length).toBeGreaterThan(0);
    const ids = new Set<string>();
    for (const entry of entries) {
      for (const name of ['id', 'title', 'updated']) expect(children(entry, name), name).toHaveLength(1);
      expect(isDate(text(children(entry, 'updated')[0]))).toBe(true);
      ids.add(text(children(entry, 'id')[0]));
      // §4.1.2: an entry without content has an alternate link; every entry here names its network.
      const alternate = children(entry, 'link').find(
        (l) => (l.attributes?.rel ?? 'alternate') === 'alternate',
      );
      expect(alternate?.attributes?.href).toMatch(/\/impact\/[0-9a-f-]{36}$/);
      const author = children(entry, 'author')[0];
      expect(text(children(author, 'name')[0]).length).toBeGreaterThan(0);
    }
    expect(ids.size).toBe(entries.length);
  });
});
