import { basename, extname, join } from 'node:path';

export interface Photo {
  /** As given on the command line, for messages. */
  path: string;
  file: File;
}

/** Reads every photo first, so a missing one stops the run before anything is uploaded. */
export async function readPhotos(paths: string[]): Promise<Photo[]> {
  const missing: string[] = [];
  const photos: Photo[] = [];
  for (const path of paths) {
    const f = Bun.file(path);
    if (!(await f.exists())) {
      missing.push(path);
      continue;
    }
    photos.push({ path, file: new File([await f.arrayBuffer()], basename(path), { type: f.type }) });
  }
  if (missing.length > 0) throw new Error(`no such photo: ${missing.join(', ')}`);
  return photos;
}

const EXTENSIONS: Record<string, string> = { 'image/jpeg': '.jpg', 'image/png': '.png', 'image/webp': '.webp', 'image/avif': '.avif' };

/**
 * Result file names in one folder: each photo's own name with the extension
 * of what came back (a `format` step may have turned a JPEG into WebP);
 * a name already taken in this run gets `-2`, `-3`, … so nothing is overwritten twice.
 */
export class OutputNames {
  private readonly taken = new Set<string>();

  constructor(private readonly dir: string) {}

  next(photoPath: string, contentType: string | null): string {
    const stem = basename(photoPath, extname(photoPath));
    const ext = EXTENSIONS[contentType?.split(';')[0]?.trim() ?? ''] ?? (extname(photoPath) || '.bin');
    let name = `${stem}${ext}`;
    for (let n = 2; this.taken.has(name); n++) name = `${stem}-${n}${ext}`;
    this.taken.add(name);
    return join(this.dir, name);
  }
}
