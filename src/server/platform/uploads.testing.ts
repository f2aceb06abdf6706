import zlib from 'node:zlib';
import { PDFDocument, PDFName, PDFString } from 'pdf-lib';
import sharp from 'sharp';

/**
 * Files for the upload tests (not shipped behaviour): files carrying metadata canaries, and
 * hostile files that decode to far more than their size, built without ever holding the expanded
 * bytes (a 1 GB bomb costs the test 1 MB).
 */

export const CANARY_ARTIST = 'CanaryArtist7731';
export const CANARY_AUTHOR = 'CanaryAuthor4410';

/** A small JPEG whose EXIF names the artist (the canary) and a GPS position. */
export async function jpegWithExif(): Promise<Buffer> {
  return sharp({ create: { width: 40, height: 20, channels: 3, background: '#c33' } })
    .jpeg()
    .withExif({
      IFD0: { Artist: CANARY_ARTIST, Copyright: CANARY_ARTIST },
      // IFD3 is the GPS directory.
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '51/1 30/1 0/1',
        GPSLongitudeRef: 'W',
        GPSLongitude: '0/1 7/1 0/1',
      },
    })
    .toBuffer();
}

/** A one-page PDF whose information dictionary, XMP and a comment's author are the canary. */
export async function pdfWithAuthor(): Promise<Buffer> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([200, 200]);
  page.drawText('Screenshot of the message', { x: 10, y: 100, size: 10 });
  // A comment whose author (/T) is the canary.
  const annot = doc.context.obj({
    Type: 'Annot',
    Subtype: 'Text',
    Rect: [10, 10, 30, 30],
    T: PDFString.of(CANARY_AUTHOR),
    Contents: PDFString.of('see here'),
  });
  page.node.set(PDFName.of('Annots'), doc.context.obj([doc.context.register(annot)]));
  doc.setAuthor(CANARY_AUTHOR);
  doc.setTitle(`Title ${CANARY_AUTHOR}`);
  doc.setSubject(CANARY_AUTHOR);
  doc.setKeywords([CANARY_AUTHOR]);
  doc.setCreator(CANARY_AUTHOR);
  doc.setProducer(CANARY_AUTHOR);
  // An XMP packet too, as office software writes.
  const xmp = doc.context.stream(
    `<?xpacket begin=""?><x:xmpmeta xmlns:x="adobe:ns:meta/"><dc:creator>${CANARY_AUTHOR}</dc:creator></x:xmpmeta><?xpacket end="w"?>`,
    { Type: 'Metadata', Subtype: 'XML' },
  );
  doc.catalog.set(PDFName.of('Metadata'), doc.context.register(xmp));
  doc.catalog.set(PDFName.of('Lang'), PDFString.of('en'));
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

/** A tiny black PNG. */
export const smallPng = () =>
  sharp({ create: { width: 2, height: 2, channels: 3, background: '#000' } })
    .png()
    .toBuffer();

const MB = 1024 * 1024;

/**
 * A zlib stream that inflates to `size` zero bytes (a multiple of 1 MB). One megabyte of zeros is
 * deflated with a sync flush, which leaves whole bytes and refers back only to zeros, so the same
 * compressed block can be repeated; then an empty final block and the Adler-32 of `size` zeros.
 */
export function zerosDeflated(size: number): Buffer {
  const block = zlib.deflateRawSync(Buffer.alloc(MB), { level: 9, finishFlush: zlib.constants.Z_SYNC_FLUSH });
  const adler = Buffer.alloc(4);
  // Adler-32 of n zero bytes: a = 1, b = n mod 65521.
  adler.writeUInt32BE((((size % 65521) << 16) | 1) >>> 0);
  return Buffer.concat([
    Buffer.from([0x78, 0xda]),
    ...Array.from({ length: Math.ceil(size / MB) }, () => block),
    Buffer.from([0x03, 0x00]),
    adler,
  ]);
}

/** A one-page PDF whose object stream (FlateDecode) holds `stream`, deflated. */
function pdfWithObjectStream(deflated: Buffer): Buffer {
  const parts: Buffer[] = [];
  const offsets: number[] = [];
  let at = 0;
  const add = (b: Buffer | string) => {
    const buf = typeof b === 'string' ? Buffer.from(b, 'latin1') : b;
    parts.push(buf);
    at += buf.length;
  };
  add('%PDF-1.7\n');
  const object = (n: number, body: string) => {
    offsets[n] = at;
    add(`${n} 0 obj\n${body}\nendobj\n`);
  };
  object(1, '<< /Type /Catalog /Pages 2 0 R >>');
  object(2, '<< /Type /Pages /Kids [3 0 R] /Count 1 >>');
  object(3, '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Resources 5 0 R >>');
  offsets[4] = at;
  add(`4 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length ${deflated.length} >>\nstream\n`);
  add(deflated);
  add('\nendstream\nendobj\n');
  const xref = at;
  let table = 'xref\n0 5\n0000000000 65535 f \n';
  for (let n = 1; n <= 4; n++) table += `${String(offsets[n]).padStart(10, '0')} 00000 n \n`;
  add(`${table}trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`);
  return Buffer.concat(parts);
}

/** A PDF of about `size / 1000` bytes with a FlateDecode stream that inflates to `size` bytes. */
export function pdfDeflateBomb(size = 1024 * MB): Buffer {
  return pdfWithObjectStream(zerosDeflated(size));
}

/**
 * A small PDF whose one compressed object is an array of millions of numbers: it expands within
 * the stream bounds, but reading it needs far more heap than a worker is given.
 */
export function pdfHeapBomb(numbers = 12_000_000): Buffer {
  const text = Buffer.alloc(4 + numbers * 2 + 1, '0 ', 'latin1');
  text.write('5 0 [', 0, 'latin1');
  text.write(']', text.length - 1, 'latin1');
  return pdfWithObjectStream(zlib.deflateSync(text, { level: 9 }));
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body));
  return Buffer.concat([length, body, crc]);
}

/**
 * A greyscale PNG that declares `width` × `height` pixels, all black, compressed as far as zlib goes:
 * a 20,000 × 20,000 one is 400 megapixels (400 MB decoded) in about 400 KB.
 */
export function pngPixelBomb(width = 20_000, height = 20_000): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 0; // greyscale
  // Each row is a filter byte (0) and `width` zero bytes: all zeros, rounded up to whole megabytes.
  const raw = (width + 1) * height;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', zerosDeflated(Math.ceil(raw / MB) * MB)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A real JPEG (from `jpeg`) whose frame header is changed to declare `width` × `height` pixels. */
export function jpegDeclaring(jpeg: Buffer, width = 60_000, height = 60_000): Buffer {
  const out = Buffer.from(jpeg);
  for (let i = 2; i < out.length - 9; ) {
    if (out[i] !== 0xff) throw new Error('Not a JPEG segment');
    const marker = out[i + 1]!;
    // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC): precision, height, width.
    if (marker >= 0xc0 && marker <= 0xcf && ![0xc4, 0xc8, 0xcc].includes(marker)) {
      out.writeUInt16BE(height, i + 5);
      out.writeUInt16BE(width, i + 7);
      return out;
    }
    i += 2 + out.readUInt16BE(i + 2);
  }
  throw new Error('No frame header found');
}
