import { Type } from '@sinclair/typebox';

/** A colour as `#rrggbb`, the one spelling every operation accepts. */
export const Colour = (fallback: string, description: string) =>
  Type.String({ pattern: '^#[0-9a-fA-F]{6}$', default: fallback, description: `${description}, #rrggbb` });

export function parseColour(hex: string): { r: number; g: number; b: number } {
  const n = Number.parseInt(hex.slice(1), 16);
  return { r: (n >> 16) & 255, g: (n >> 8) & 255, b: n & 255 };
}
