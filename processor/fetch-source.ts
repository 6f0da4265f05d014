import type { Config } from '../shared/config.ts';
import { SourceHttpError, SourceNotImageError, SourceTooLargeError } from '../shared/errors.ts';
import { declaredOverPixelLimit } from '../shared/image/pixel-limit.ts';
import { sniffImageType } from '../shared/image/sniff.ts';
import type { GuardedFetch } from '../shared/net/guarded-fetch.ts';

export interface SourceLimits {
  timeoutMs: number;
  maxRedirects: number;
  maxBytes: number;
  maxPixels: number;
}

/** The limits a fetched image is held to: the same bytes and pixels as an upload, and the FETCH_* settings. */
export function sourceLimits(config: Pick<Config, 'fetchTimeoutMs' | 'fetchMaxRedirects' | 'maxUploadBytes' | 'maxInputPixels'>): SourceLimits {
  return { timeoutMs: config.fetchTimeoutMs, maxRedirects: config.fetchMaxRedirects, maxBytes: config.maxUploadBytes, maxPixels: config.maxInputPixels };
}

export type SourceFetcher = (url: string) => Promise<Uint8Array>;

/**
 * Fetches an image given by URL through the guarded fetch (checked again here,
 * whatever the API found) and holds it to what an upload is held to: at most
 * maxBytes, an image by its magic bytes, at most maxPixels by its header.
 * Throws the source_* errors of shared/errors.ts; a 2xx is the only success.
 */
export function createSourceFetcher(fetch: GuardedFetch, limits: SourceLimits): SourceFetcher {
  return async (url) => {
    const res = await fetch(url, {
      timeoutMs: limits.timeoutMs,
      maxBytes: limits.maxBytes,
      maxRedirects: limits.maxRedirects,
      headers: { accept: 'image/*', 'user-agent': 'kadr' },
    });
    const where = new URL(res.url).host;
    if (res.status < 200 || res.status > 299) throw new SourceHttpError(`${where} answered HTTP ${res.status}`, res.status);
    if (res.body.byteLength === 0) throw new SourceNotImageError(`${where} answered an empty body`);
    if (!sniffImageType(res.body)) {
      const type = res.headers.get('content-type') ?? 'none';
      throw new SourceNotImageError(`${where} answered ${res.body.byteLength} bytes that are not a JPEG, PNG, WebP, GIF, TIFF or AVIF file (Content-Type ${type})`);
    }
    const bomb = declaredOverPixelLimit(res.body, limits.maxPixels);
    if (bomb) {
      throw new SourceTooLargeError(
        `${where}: the image's header declares ${bomb.width}x${bomb.height} (${bomb.width * bomb.height} pixels); at most ${limits.maxPixels} are accepted`,
      );
    }
    return res.body;
  };
}
