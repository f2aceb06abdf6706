import { threadId } from 'node:worker_threads';
import { PDFDict, PDFDocument, PDFName } from 'pdf-lib';
// pdf-lib has no option to bound how far a compressed stream may expand: every filter it
// decodes (Flate, LZW, ASCII85, run-length) grows one buffer through DecodeStream.ensureBuffer,
// so the bound is put there, before the allocation.
import DecodeStreamModule from 'pdf-lib/cjs/core/streams/DecodeStream.js';
import sharp from 'sharp';

/**
 * Runs in a worker thread of the upload pool (platform/uploads.ts), never on the server's main
 * thread: decoding a hostile file may take all the time and memory it is given, and the pool
 * ends the worker when it does. No database, no services: bytes in, cleaned bytes or a reason out.
 */

/** The most one PDF stream may expand to, and all of one document's streams together. */
export const PDF_STREAM_MAX_BYTES = 32 * 1024 * 1024;
export const PDF_DECODED_MAX_BYTES = 64 * 1024 * 1024;
/** Images larger than this many pixels are refused before they are decoded (50 MP: any phone photo). */
export const IMAGE_MAX_PIXELS = 50_000_000;
/** libvips stops encoding after this long; the pool's own limit ends the worker a little later. */
const IMAGE_TIMEOUT_SECONDS = 8;

export type ProcessTask = {
  type: 'image/jpeg' | 'image/png' | 'image/webp' | 'application/pdf';
  bytes: Uint8Array;
  /** The largest cleaned file that may be sent back. */
  maxBytes: number;
};

/**
 * The cleaned bytes and the thread that cleaned them, or why the file was refused: it expands too
 * far or has too many pixels, it cannot be read, or the cleaned file is over the size limit.
 */
export type ProcessResult =
  | { ok: true; bytes: Uint8Array; threadId: number }
  | { ok: false; reason: 'too_complex' | 'damaged' | 'too_large' };

/**
 * How much this task's PDF streams have expanded to, and whether a bound was crossed. pdf-lib
 * catches errors while parsing an object and carries on, so crossing a bound is recorded here as
 * well as thrown, and checked once the document is read.
 */
let decoded = 0;
let expandedTooFar = false;

type EnsureBuffer = (this: { buffer: Uint8Array }, requested: number) => Uint8Array;
const DecodeStream: { prototype: { ensureBuffer: EnsureBuffer } } =
  (DecodeStreamModule as unknown as { default?: typeof DecodeStream }).default ??
  (DecodeStreamModule as unknown as typeof DecodeStream);
const ensureBuffer = DecodeStream.prototype.ensureBuffer;
DecodeStream.prototype.ensureBuffer = function boundedEnsureBuffer(requested) {
  const have = this.buffer.byteLength;
  if (requested > have) {
    decoded += requested - have;
    if (requested > PDF_STREAM_MAX_BYTES || decoded > PDF_DECODED_MAX_BYTES) {
      expandedTooFar = true;
      throw new Error('A PDF stream expands beyond the limit');
    }
  }
  return ensureBuffer.call(this, requested);
};

// One libvips thread per image (the pool bounds how many run at once) and no operation cache.
sharp.concurrency(1);
sharp.cache(false);

async function reencodeImage(bytes: Uint8Array, type: Exclude<ProcessTask['type'], 'application/pdf'>) {
  // failOn 'error': a truncated or forged image is refused rather than half-decoded. Without
  // withMetadata()/keepMetadata() sharp writes no EXIF, GPS, XMP or IPTC; rotate() applies the
  // EXIF orientation to the pixels first so the picture still looks right without it.
  const image = sharp(bytes, { failOn: 'error', limitInputPixels: IMAGE_MAX_PIXELS })
    .rotate()
    .timeout({ seconds: IMAGE_TIMEOUT_SECONDS });
  if (type === 'image/jpeg') return image.jpeg({ quality: 90 }).toBuffer();
  if (type === 'image/png') return image.png().toBuffer();
  return image.webp({ quality: 90 }).toBuffer();
}

async function rebuildPdf(bytes: Uint8Array): Promise<Uint8Array> {
  // Encrypted PDFs throw (we cannot clean what we cannot read).
  const source = await PDFDocument.load(bytes, { updateMetadata: false });
  const clean = await PDFDocument.create({ updateMetadata: false });
  const pages = await clean.copyPages(source, source.getPageIndices());
  for (const page of pages) {
    // Page-level XMP and application private data can carry authors and paths too.
    page.node.delete(PDFName.of('Metadata'));
    page.node.delete(PDFName.of('PieceInfo'));
    // Annotations (comments, highlights) name their author in /T; keep the comment, drop the name.
    const annots = page.node.Annots();
    for (let i = 0; annots && i < annots.size(); i++) {
      const annot = annots.lookup(i);
      if (annot instanceof PDFDict) {
        annot.delete(PDFName.of('T'));
        annot.delete(PDFName.of('Metadata'));
      }
    }
    clean.addPage(page);
  }
  clean.catalog.delete(PDFName.of('Metadata'));
  // No /Info dictionary at all: no Title, Author, Subject, Keywords, Creator, Producer or dates.
  const info = clean.context.trailerInfo.Info;
  if (info) {
    const dict = clean.context.lookup(info);
    if (dict instanceof PDFDict) for (const key of dict.keys()) dict.delete(key);
    clean.context.trailerInfo.Info = undefined;
  }
  // No object streams: every dictionary stays in plain bytes, so what was removed can be checked.
  return clean.save({ useObjectStreams: false });
}

/** Cleans one file: images re-encoded without metadata, PDFs rebuilt page by page without it. */
export default async function processUpload(task: ProcessTask): Promise<ProcessResult> {
  decoded = 0;
  expandedTooFar = false;
  try {
    const bytes =
      task.type === 'application/pdf'
        ? await rebuildPdf(task.bytes)
        : await reencodeImage(task.bytes, task.type);
    if (expandedTooFar) return { ok: false, reason: 'too_complex' };
    if (bytes.length > task.maxBytes) return { ok: false, reason: 'too_large' };
    return { ok: true, bytes, threadId };
  } catch (error) {
    const message = error instanceof Error ? error.message : '';
    // sharp: "Input image exceeds pixel limit"; libvips: "timeout" (too slow to encode).
    const tooComplex = expandedTooFar || /pixel limit|timeout/i.test(message);
    return { ok: false, reason: tooComplex ? 'too_complex' : 'damaged' };
  }
}
