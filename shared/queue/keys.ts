/** Redis key names, all under one prefix so deployments and test runs never collide. */
export interface Keys {
  uploads: string;
  captioned: string;
  dead: string;
  job(id: string): string;
  idempotency(key: string): string;
}

export const GROUPS = { processors: 'processors', savers: 'savers' } as const;

export function keys(prefix: string): Keys {
  return {
    uploads: `${prefix}stream:uploads`,
    captioned: `${prefix}stream:captioned`,
    dead: `${prefix}stream:dead`,
    job: (id) => `${prefix}job:${id}`,
    idempotency: (key) => `${prefix}idem:${key}`,
  };
}
