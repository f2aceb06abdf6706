import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
// glibc: the main thread loads sharp's shared libraries before any worker does, so they stay
// loaded when the pool ends a worker (https://sharp.pixelplumbing.com/install#worker-threads).
import 'sharp';
import { AppError, invalid } from './errors';
import type { ProcessResult, ProcessTask } from './uploads.worker';

/**
 * Files people upload (speak-up reports and cases, concerns' actions, and any module that takes a
 * photo or PDF): the real type is read from the bytes (never trusted from the client), and every
 * file is cleaned before anything stores it (images re-encoded with sharp, which drops
 * EXIF/GPS/XMP/IPTC; PDFs rebuilt page by page with pdf-lib, without the document information
 * dictionary or XMP).
 *
 * Decoding a file is the one place where a small request can cost a great deal: a 1 MB PDF can
 * inflate to 1 GB, a 50 KB PNG can declare a billion pixels. So the cleaning runs in a small pool
 * of worker threads (uploads.worker.ts), never on the thread that answers requests, with hard
 * limits: V8 heap per worker (`resourceLimits`), how far a PDF stream may expand and how many pixels
 * an image may have (in the worker), how long a file may take (the worker is ended when it is
 * exceeded), how many files wait, and the size of the result. A file over a limit is refused with a
 * plain message and nothing is stored.
 */

export const UPLOAD_MAX_BYTES = 10 * 1024 * 1024;
export const UPLOAD_TYPES = ['image/jpeg', 'image/png', 'image/webp', 'application/pdf'] as const;
export type UploadType = (typeof UPLOAD_TYPES)[number];

/**
 * Files are sent as base64 in JSON: the same validated, access-checked route machinery as every
 * other route (no second body parser, no temporary files on disk), with a route body limit just
 * above 10 MB of base64. The cost is a third more bytes on the wire.
 */
export const UPLOAD_BODY_LIMIT = Math.ceil((UPLOAD_MAX_BYTES * 4) / 3) + 64_000;
/** Uploads per minute per client on every upload route (each one costs a worker's time). */
export const UPLOAD_RATE_LIMIT_PER_MINUTE = 10;

const notAccepted = (field = 'data') =>
  invalid('That file is not a JPEG, PNG or WebP image or a PDF (or it is damaged). Nothing was saved.', [
    { path: field, message: 'Choose a photo (JPEG, PNG, WebP) or a PDF.' },
  ]);
const tooComplex = (field = 'data') =>
  invalid(
    'That file is too big or too complicated to check safely (for example a photo of more than 50 megapixels, or a PDF that expands to far more than its size). Nothing was saved. Try a smaller photo, or print the document to a new PDF and add that.',
    [{ path: field, message: 'Choose a smaller or simpler file.' }],
  );
export const tooLarge = () =>
  new AppError('payload_too_large', 'That file is larger than 10 MB. Nothing was saved.');
const busy = () =>
  new AppError(
    'busy',
    'Too many files are being checked at the moment. Nothing was saved; please try again in a minute.',
  );

/** The type the bytes really are, from their magic numbers; null for anything else. */
export function sniffType(bytes: Buffer): UploadType | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    return 'image/png';
  }
  if (
    bytes.subarray(0, 4).toString('latin1') === 'RIFF' &&
    bytes.subarray(8, 12).toString('latin1') === 'WEBP'
  ) {
    return 'image/webp';
  }
  if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  return null;
}

/** A file name safe to show and to put in a header: no path, no control characters. */
export function cleanFileName(name: string, type: UploadType): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const stem = base
    .replace(/\.[^.]*$/, '')
    .replace(/[^\p{L}\p{N} ._-]/gu, '')
    .trim()
    .slice(0, 100);
  const ext = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp', 'application/pdf': 'pdf' }[
    type
  ];
  return `${stem || 'attachment'}.${ext}`;
}

/** Decodes base64 strictly and checks the size before any decoding work on the content. */
export function decodeUpload(data: string, field = 'data'): Buffer {
  // 4 base64 characters per 3 bytes: refuse early, before allocating.
  if (Math.floor((data.length * 3) / 4) > UPLOAD_MAX_BYTES + 2) throw tooLarge();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data)) throw notAccepted(field);
  const bytes = Buffer.from(data, 'base64');
  if (bytes.length > UPLOAD_MAX_BYTES) throw tooLarge();
  return bytes;
}

// ---- the worker pool ---------------------------------------------------------------------------

export type UploadLimits = {
  /** Worker threads cleaning files at once. */
  threads: number;
  /** Files waiting for a worker before more are refused as busy. */
  queue: number;
  /** How long one file may take, waiting included; the worker is ended when it is exceeded. */
  timeLimitMs: number;
  /** V8 heap of one worker (old generation), in MB; a worker that needs more is ended. */
  heapMb: number;
};

export const DEFAULT_UPLOAD_LIMITS: UploadLimits = { threads: 2, queue: 8, timeLimitMs: 15_000, heapMb: 256 };

/** What a worker did with a file (threadId: the worker thread that did it, never the main thread's 0). */
export type Processed =
  | { ok: true; bytes: Buffer; threadId: number }
  | { ok: false; reason: 'too_complex' | 'damaged' | 'too_large' | 'busy' };

const WORKER_FILE = new URL('./uploads.worker.ts', import.meta.url);

/**
 * The worker is TypeScript: it runs with tsx's loader (as `npm start` runs the server), given by
 * absolute location so it does not depend on the working directory, under tsx and vitest alike.
 */
const workerExecArgv = () => ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href];

export class UploadProcessor {
  private pool: Piscina | null = null;
  constructor(readonly limits: UploadLimits = DEFAULT_UPLOAD_LIMITS) {}

  private workers(): Piscina {
    this.pool ??= new Piscina({
      filename: WORKER_FILE.href,
      execArgv: workerExecArgv(),
      minThreads: 0,
      maxThreads: this.limits.threads,
      maxQueue: this.limits.queue,
      // Idle workers end, so a quiet server holds no decoder memory.
      idleTimeout: 30_000,
      resourceLimits: { maxOldGenerationSizeMb: this.limits.heapMb, maxYoungGenerationSizeMb: 32 },
    });
    return this.pool;
  }

  /** Cleans one file in a worker; a worker that runs out of time or memory is ended, never waited for. */
  async process(type: UploadType, bytes: Buffer, timeLimitMs = this.limits.timeLimitMs): Promise<Processed> {
    const pool = this.workers();
    if (pool.queueSize >= this.limits.queue) return { ok: false, reason: 'busy' };
    const task: ProcessTask = { type, bytes: new Uint8Array(bytes), maxBytes: UPLOAD_MAX_BYTES };
    try {
      const result = (await pool.run(task, {
        signal: AbortSignal.timeout(timeLimitMs),
      })) as ProcessResult;
      if (!result.ok) return result;
      return {
        ok: true,
        bytes: Buffer.from(result.bytes.buffer, result.bytes.byteOffset, result.bytes.byteLength),
        threadId: result.threadId,
      };
    } catch (error) {
      // Piscina's own refusal when its queue is full (two requests raced past the check above).
      if (error instanceof Error && /queue is at limit/i.test(error.message))
        return { ok: false, reason: 'busy' };
      // Otherwise the worker was ended for taking too long (AbortError) or for running out of heap
      // (ERR_WORKER_OUT_OF_MEMORY), or it crashed on the file: in each case the file is what did it.
      return { ok: false, reason: 'too_complex' };
    }
  }

  /** Ends the workers (tests; the process ending does it otherwise). */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    await pool?.destroy();
  }
}

/** The pool every module's uploads share. */
export const uploads = new UploadProcessor();

export type SanitisedUpload = {
  /** A safe file name: no path or control characters, with the extension of the real type. */
  fileName: string;
  /** The type read from the bytes (never the client's claim). */
  mediaType: UploadType;
  /** The cleaned bytes: images re-encoded, PDFs rebuilt, without metadata. */
  bytes: Buffer;
};

/**
 * Checks and cleans an uploaded file (no database): throws a 400 `invalid` (empty, not an accepted
 * type, damaged, not the type the client claimed, or too big or complicated to check; the field
 * error is on `field`, default `data`), a 413 `payload_too_large` (over UPLOAD_MAX_BYTES before or
 * after cleaning) or a 503 `busy` (too many files waiting).
 */
export async function sanitiseUpload(
  fileName: string,
  input: Buffer | Uint8Array,
  options: { claimedType?: string | undefined; field?: string; processor?: UploadProcessor } = {},
): Promise<SanitisedUpload> {
  const bytes = Buffer.isBuffer(input) ? input : Buffer.from(input);
  const refuse = () => notAccepted(options.field);
  if (bytes.length > UPLOAD_MAX_BYTES) throw tooLarge();
  if (bytes.length === 0) throw refuse();
  const type = sniffType(bytes);
  if (!type) throw refuse();
  const claimed = options.claimedType;
  if (claimed && claimed !== type && !(claimed === 'image/jpg' && type === 'image/jpeg')) throw refuse();
  const result = await (options.processor ?? uploads).process(type, bytes);
  if (!result.ok) {
    if (result.reason === 'busy') throw busy();
    if (result.reason === 'too_large') throw tooLarge();
    throw result.reason === 'too_complex' ? tooComplex(options.field) : refuse();
  }
  return { fileName: cleanFileName(fileName, type), mediaType: type, bytes: result.bytes };
}
