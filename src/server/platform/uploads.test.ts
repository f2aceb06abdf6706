import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from './errors';
import { sanitiseUpload, UPLOAD_MAX_BYTES, UploadProcessor } from './uploads';
import {
  CANARY_ARTIST,
  CANARY_AUTHOR,
  jpegDeclaring,
  jpegWithExif,
  pdfDeflateBomb,
  pdfHeapBomb,
  pdfWithAuthor,
  pngPixelBomb,
  smallPng,
  zerosDeflated,
} from './uploads.testing';

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e as AppError,
  );

const processors: UploadProcessor[] = [];
const processor = (limits: Partial<UploadProcessor['limits']> = {}) => {
  const p = new UploadProcessor({ threads: 1, queue: 4, timeLimitMs: 15_000, heapMb: 256, ...limits });
  processors.push(p);
  return p;
};
afterAll(() => Promise.all(processors.map((p) => p.close())));

describe('sanitiseUpload', () => {
  it('returns a safe name, the real type and bytes without EXIF or PDF metadata', async () => {
    const jpeg = await sanitiseUpload('C:\\Users\\me\\IMG_1.JPEG', await jpegWithExif());
    expect(jpeg.fileName).toBe('IMG_1.jpg');
    expect(jpeg.mediaType).toBe('image/jpeg');
    expect(jpeg.bytes.includes(CANARY_ARTIST)).toBe(false);
    expect((await sharp(jpeg.bytes).metadata()).exif).toBeUndefined();

    const pdf = await sanitiseUpload('minutes', new Uint8Array(await pdfWithAuthor()));
    expect(pdf).toMatchObject({ fileName: 'minutes.pdf', mediaType: 'application/pdf' });
    expect(pdf.bytes.includes(CANARY_AUTHOR)).toBe(false);
  });

  it('throws a 400 naming the field for a wrong or forged type, a 413 for a large file', async () => {
    const text = await refusal(sanitiseUpload('a.txt', Buffer.from('hello'), { field: 'file' }));
    expect(text).toBeInstanceOf(AppError);
    expect(text!.status).toBe(400);
    expect(text!.fields?.[0]?.path).toBe('file');
    const png = await smallPng();
    expect((await refusal(sanitiseUpload('a.pdf', png, { claimedType: 'application/pdf' })))?.status).toBe(
      400,
    );
    expect((await refusal(sanitiseUpload('empty.png', Buffer.alloc(0))))?.status).toBe(400);
    const big = Buffer.alloc(UPLOAD_MAX_BYTES + 1, 1);
    big.write('%PDF-1.7\n', 0, 'latin1');
    expect((await refusal(sanitiseUpload('big.pdf', big)))?.status).toBe(413);
  });
});

describe('upload processing runs in a worker thread with hard limits', () => {
  it('cleans files in a worker thread, not on the thread that answers requests (under vitest)', async () => {
    const result = await processor().process('image/png', await smallPng());
    expect(result.ok).toBe(true);
    // The main thread's id is 0.
    expect(result.ok && result.threadId).toBeGreaterThan(0);
  });

  it('cleans files in a worker thread when the server runs under tsx, as npm start runs it', async () => {
    const root = path.resolve(fileURLToPath(import.meta.url), '../../../..');
    const script = `
      import { sanitiseUpload, uploads } from './src/server/platform/uploads.ts';
      import { jpegWithExif } from './src/server/platform/uploads.testing.ts';
      const result = await uploads.process('image/jpeg', await jpegWithExif());
      const clean = await sanitiseUpload('photo.jpg', await jpegWithExif());
      console.log(JSON.stringify({ ok: result.ok, threadId: result.ok && result.threadId, name: clean.fileName }));
      await uploads.close();`;
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '--eval', script],
      // As scripts/start.mjs starts the server.
      { cwd: root, env: { ...process.env, NODE_OPTIONS: '' }, timeout: 60_000 },
    );
    const out = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
      ok: boolean;
      threadId: number;
      name: string;
    };
    expect(out).toMatchObject({ ok: true, name: 'photo.jpg' });
    expect(out.threadId).toBeGreaterThan(0);
  });

  it('a PDF whose 1 MB stream inflates to 1 GB is refused with a plain message, quickly', async () => {
    const bomb = pdfDeflateBomb();
    expect(bomb.length).toBeLessThan(1.2 * 1024 * 1024);
    const started = Date.now();
    const error = await refusal(sanitiseUpload('invoice.pdf', bomb, { processor: processor() }));
    expect(error?.status).toBe(400);
    expect(error?.message).toMatch(/too big or too complicated to check safely.*Nothing was saved/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('images declaring enormous dimensions are refused before they are decoded', async () => {
    const p = processor();
    // 400 megapixels of black in 400 KB, and a 40-pixel JPEG whose header claims 60,000 × 60,000.
    const png = pngPixelBomb();
    expect(png.length).toBeLessThan(500_000);
    const jpeg = jpegDeclaring(
      await sharp({ create: { width: 40, height: 20, channels: 3, background: '#c33' } })
        .jpeg()
        .toBuffer(),
    );
    for (const [name, bomb] of [
      ['screen.png', png],
      ['photo.jpg', jpeg],
    ] as const) {
      const started = Date.now();
      const error = await refusal(sanitiseUpload(name, bomb, { processor: p }));
      expect(error?.status, name).toBe(400);
      expect(error?.message).toMatch(/more than 50 megapixels/);
      expect(Date.now() - started).toBeLessThan(5_000);
    }
  });

  it('a file that needs more memory than a worker has ends that worker, and the next file is cleaned', async () => {
    const p = processor({ heapMb: 64 });
    const error = await refusal(sanitiseUpload('notes.pdf', pdfHeapBomb(), { processor: p }));
    expect(error?.message).toMatch(/too complicated/);
    const next = await p.process('image/png', await smallPng());
    expect(next.ok).toBe(true);
  });

  it('a file that takes too long is refused when its time is up, and its worker is ended', async () => {
    const p = processor({ heapMb: 512 });
    const warm = await p.process('image/png', await smallPng());
    const started = Date.now();
    // Reading this takes about 20 s (twelve million numbers); a 2 s limit ends it.
    const result = await p.process('application/pdf', pdfHeapBomb(), 2_000);
    expect(result).toEqual({ ok: false, reason: 'too_complex' });
    expect(Date.now() - started).toBeLessThan(4_000);
    // The next file is cleaned by a new worker: the one that ran out of time was ended.
    const next = await p.process('image/png', await smallPng());
    expect(next.ok && warm.ok && next.threadId !== warm.threadId).toBe(true);
  });

  it('more files than the queue holds are refused as busy (503), not queued without end', async () => {
    const p = processor({ threads: 1, queue: 1 });
    const png = await smallPng();
    const errors = await Promise.all(
      Array.from({ length: 4 }, () => refusal(sanitiseUpload('a.png', png, { processor: p }))),
    );
    expect(errors.filter((e) => e === null).length).toBeGreaterThanOrEqual(1);
    const busy = errors.filter((e) => e !== null);
    expect(busy.length).toBeGreaterThanOrEqual(1);
    for (const e of busy)
      expect([e!.status, e!.message]).toEqual([503, expect.stringMatching(/try again in a minute/)]);
  });

  it('the bombs are what they claim: the deflate stream really inflates to its size', async () => {
    const zlib = await import('node:zlib');
    expect(zlib.inflateSync(zerosDeflated(8 * 1024 * 1024)).length).toBe(8 * 1024 * 1024);
    expect((await sharp(pngPixelBomb(), { limitInputPixels: false }).metadata()).width).toBe(20_000);
  });
});
