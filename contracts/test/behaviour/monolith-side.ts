import { startMonolith } from '@strangler/monolith/testing';
import type { Side } from './sides';

export const monolithSide: Side = {
  name: 'monolith',
  start: (dialect, options) => startMonolith(dialect, options),
};
