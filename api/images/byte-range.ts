import type { ByteRange } from '../../shared/storage/store.ts';

/**
 * What a `Range` header asks of a representation of `size` bytes (RFC 9110
 * §14.1-14.2):
 * - `whole`: answer 200 with everything. No header; a unit other than
 *   `bytes`; a syntactically invalid header (servers may ignore those, and
 *   ignoring is what keeps a broken client working); or several ranges, which
 *   kadr answers whole rather than as multipart/byteranges.
 * - `range`: answer 206 with these inclusive offsets, already clamped to the size.
 * - `unsatisfiable`: answer 416 (every range starts at or past the end, or is `-0`).
 */
export type RangeAnswer = { kind: 'whole' } | { kind: 'range'; range: ByteRange } | { kind: 'unsatisfiable' };

const WHOLE: RangeAnswer = { kind: 'whole' };
const UNSATISFIABLE: RangeAnswer = { kind: 'unsatisfiable' };

// `first-last`, `first-` or `-suffix`; digits only, as in RFC 9110's int-range and suffix-range.
const SPEC = /^(?:(\d+)-(\d*)|-(\d+))$/;

type Spec = { first: number; last?: number } | { suffix: number };

function parseSpecs(header: string): Spec[] | undefined {
  const eq = header.indexOf('=');
  if (eq < 0 || header.slice(0, eq).trim().toLowerCase() !== 'bytes') return undefined;
  const specs: Spec[] = [];
  // A list may carry empty elements (`a, , b`), which a recipient skips (RFC 9110 §5.6.1.2).
  for (const raw of header.slice(eq + 1).split(',')) {
    const part = raw.trim();
    if (part === '') continue;
    const m = SPEC.exec(part);
    if (!m) return undefined;
    if (m[3] !== undefined) {
      specs.push({ suffix: Number(m[3]) });
      continue;
    }
    const first = Number(m[1]);
    const last = m[2] === '' ? undefined : Number(m[2]);
    if (last !== undefined && last < first) return undefined; // an invalid int-range
    specs.push({ first, last });
  }
  return specs.length > 0 ? specs : undefined;
}

/** The satisfiable part of one range, clamped to the representation; undefined when it selects nothing. */
function resolve(spec: Spec, size: number): ByteRange | undefined {
  if ('suffix' in spec) {
    if (spec.suffix === 0 || size === 0) return undefined;
    return { start: Math.max(0, size - spec.suffix), end: size - 1 };
  }
  if (spec.first >= size) return undefined;
  return { start: spec.first, end: Math.min(spec.last ?? size - 1, size - 1) };
}

export function parseRange(header: string | null | undefined, size: number): RangeAnswer {
  if (header == null) return WHOLE;
  const specs = parseSpecs(header);
  if (!specs) return WHOLE;
  const satisfiable = specs.map((s) => resolve(s, size)).filter((r): r is ByteRange => r !== undefined);
  if (satisfiable.length === 0) return UNSATISFIABLE;
  if (specs.length > 1) return WHOLE;
  return { kind: 'range', range: satisfiable[0]! };
}

/** `Content-Range` of a 206. */
export function contentRange(range: ByteRange, size: number): string {
  return `bytes ${range.start}-${range.end}/${size}`;
}
