/**
 * The conditional request headers a download honours (RFC 9110 §13.1),
 * for a representation whose strong entity tag is `etag` (quoted, as sent).
 */

/** Entity tags of a list header: `"a", W/"b"`, each with its weakness. */
function entityTags(header: string): { weak: boolean; tag: string }[] {
  const tags: { weak: boolean; tag: string }[] = [];
  for (const m of header.matchAll(/(W\/)?("[^"]*")/g)) tags.push({ weak: m[1] !== undefined, tag: m[2]! });
  return tags;
}

/**
 * If-None-Match matches (the client's copy is current: answer 304): `*`, or
 * any listed tag equal to ours under the weak comparison, which ignores `W/`.
 */
export function noneMatchHits(header: string | null, etag: string): boolean {
  if (header === null) return false;
  if (header.trim() === '*') return true;
  return entityTags(header).some((t) => t.tag === etag);
}

/**
 * Whether a Range may be answered with part of the representation: yes
 * without If-Range; with it, only when it is our entity tag under the strong
 * comparison. A date never matches, since no Last-Modified is sent, so the
 * client gets the whole (current) representation instead of a part that
 * might not fit the copy it holds.
 */
export function ifRangeAllows(header: string | null, etag: string): boolean {
  if (header === null) return true;
  const value = header.trim();
  return !value.startsWith('W/') && value === etag;
}
