// Hostile image files for the browser tests and benchmarks, written byte by byte (nothing large
// is committed): a PNG declaring a huge canvas in a few kilobytes, and a progressive JPEG made of
// thousands of scans.
import { deflateSync } from 'node:zlib';

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  Buffer.from(data).copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/**
 * A complete, valid 1-bit greyscale PNG of `width` x `height` black pixels: tiny on disk (16384 x
 * 16384, 268 megapixels, is about 33 KB), but a browser decodes it to 4 bytes a pixel (1 GiB).
 */
export function hugePng(width = 16384, height = 16384) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([1, 0, 0, 0, 0], 8); // bit depth 1, greyscale, deflate, no filter method, no interlace
  const raw = Buffer.alloc((1 + Math.ceil(width / 8)) * height); // each row: filter 0, then zeros
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', deflateSync(raw, { level: 9 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function jpegSegment(marker, body) {
  return Buffer.from([0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff, ...body]);
}

/**
 * A greyscale progressive JPEG of `size` x `size` pixels (a multiple of 8 whose block count,
 * `(size / 8)^2`, is a multiple of 16384) made of `scans` scans: a DC scan, then `scans - 1` AC
 * scans that each code every block as "no coefficient" with end-of-band runs (a few bytes per
 * scan). A valid file, mid-grey, of about 14 bytes per scan; every scan makes a decoder go over
 * the whole image again. The default (1024 x 1024, 20,001 scans) is 282 KB.
 */
export function manyScanJpeg({ size = 1024, scans = 20_001 } = {}) {
  const blocks = (size / 8) ** 2;
  if (size % 8 !== 0 || blocks % 16384 !== 0) throw new Error(`manyScanJpeg: ${size} px gives ${blocks} blocks, not a multiple of 16384`);
  const parts = [Buffer.from([0xff, 0xd8])];
  parts.push(jpegSegment(0xdb, [0, ...new Array(64).fill(1)])); // quantisation table 0: all 1
  // SOF2 (progressive): 8 bits, height, width, one component (id 1, 1x1 sampling, table 0).
  parts.push(jpegSegment(0xc2, [8, size >> 8, size & 0xff, size >> 8, size & 0xff, 1, 1, 0x11, 0]));
  // DC table 0: one code, "0", for category 0 (no difference).
  parts.push(jpegSegment(0xc4, [0x00, 1, ...new Array(15).fill(0), 0]));
  // AC table 0: one code, "0", for EOB14 (an end-of-band run of 16384 + 14 extra bits).
  parts.push(jpegSegment(0xc4, [0x10, 1, ...new Array(15).fill(0), 0xe0]));
  // DC first scan: one "0" bit per block.
  parts.push(jpegSegment(0xda, [1, 1, 0x00, 0, 0, 0x00]), Buffer.alloc(blocks / 8));
  // AC scans (coefficients 1..63, first pass): EOB14 with extra bits 0 (a run of 16384 blocks),
  // 15 zero bits per run, then 1-bits to the byte boundary.
  const runs = blocks / 16384;
  const bits = '0'.repeat(15 * runs).padEnd(Math.ceil((15 * runs) / 8) * 8, '1');
  const data = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const ac = Buffer.concat([jpegSegment(0xda, [1, 1, 0x00, 1, 63, 0x00]), data]);
  for (let i = 1; i < scans; i += 1) parts.push(ac);
  parts.push(Buffer.from([0xff, 0xd9]));
  return Buffer.concat(parts);
}
