import { describe, expect, it } from 'vitest';
import { hashForRoute, routeFromHash } from '../../renderer/src/lib/hash-route';

describe('renderer hash routes', () => {
  it('reads the pages the desktop shell opens', () => {
    expect(routeFromHash('')).toEqual({ page: 'status' });
    expect(routeFromHash('#check')).toEqual({ page: 'check' });
    expect(routeFromHash('#settings')).toEqual({ page: 'settings' });
    expect(routeFromHash('#welcome')).toEqual({ page: 'status' });
    expect(routeFromHash('#history')).toEqual({ page: 'history' });
    expect(routeFromHash('#history/20261126T050529Z-a58fd1')).toEqual({ page: 'history', runId: '20261126T050529Z-a58fd1' });
    expect(routeFromHash('#nonsense/x')).toEqual({ page: 'status' });
  });

  it('writes what it reads', () => {
    for (const route of [{ page: 'check' as const }, { page: 'history' as const, runId: 'a b/c' }]) {
      expect(routeFromHash(hashForRoute(route))).toEqual(route);
    }
  });
});
