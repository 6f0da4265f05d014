/** A form field: a text value, or a file (Blob) with an optional file name. */
export type Part = [name: string, value: string | Blob, filename?: string];

/** The parts as FormData, the way a browser or `curl -F` sends them; files default to photo.jpg. */
export function formOf(parts: Part[]): FormData {
  const form = new FormData();
  for (const [name, value, filename] of parts) {
    if (typeof value === 'string') form.append(name, value);
    else form.append(name, value, filename ?? 'photo.jpg');
  }
  return form;
}

export interface RawPart {
  name: string;
  filename?: string;
  type?: string;
  data: string | Uint8Array;
}

export const BOUNDARY = 'kadr-test-boundary-7d1f';

/**
 * A multipart/form-data body written byte by byte, for what FormData cannot
 * produce: invalid UTF-8 in a text part, a part without a file name.
 */
export function multipartBytes(parts: RawPart[], boundary = BOUNDARY): { body: Uint8Array<ArrayBuffer>; contentType: string } {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const filename = p.filename === undefined ? '' : `; filename="${p.filename}"`;
    const type = p.type === undefined ? '' : `\r\nContent-Type: ${p.type}`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${filename}${type}\r\n\r\n`, 'latin1'));
    chunks.push(typeof p.data === 'string' ? Buffer.from(p.data, 'utf8') : Buffer.from(p.data));
    chunks.push(Buffer.from('\r\n', 'latin1'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`, 'latin1'));
  return { body: new Uint8Array(Buffer.concat(chunks)), contentType: `multipart/form-data; boundary=${boundary}` };
}
