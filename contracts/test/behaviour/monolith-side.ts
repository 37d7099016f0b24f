import { startMonolith } from '../../../monolith/test/support/start-monolith';
import type { Side } from './sides';

export const monolithSide: Side = {
  name: 'monolith',
  start: (dialect, options) => startMonolith(dialect, options),
};
