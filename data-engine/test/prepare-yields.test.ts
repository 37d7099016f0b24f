import { baseStore } from '../src/data/bases/entity-bases';
import type { ApplyContext } from '../src/data/apply/apply-types';
import { prepareWork } from '../src/data/apply/prepare-work';
import type { EntityMapping } from '../src/data/mapping';
import { QuarantineStore } from '../src/data/quarantine/quarantine-store';
import { shippedCapability } from './support/shipped-capabilities';
import { monolithPayment } from './support/payment-rows';

describe('prepareWork and the event loop', () => {
  it('lets other work run while it transforms a large chunk (the chunk being written meanwhile), and prepares every row the same', async () => {
    const capability = shippedCapability('payments');
    const payments = capability.mappings.find((mapping) => mapping.name === 'payments') as EntityMapping;
    // A slow transform: 60 rows of at least 1 ms each, well past the slice prepareWork runs uninterrupted.
    const slow: EntityMapping = {
      ...payments,
      toService: (row) => {
        const until = performance.now() + 1;
        while (performance.now() < until);
        return payments.toService(row);
      },
    };
    const ctx = { capability: { ...capability, mappings: [slow] }, direction: 'to-service', bases: baseStore('payments'), quarantine: new QuarantineStore('payments', 'to-service'), quarantineMaybeOpen: false } as unknown as ApplyContext;
    const rows = Array.from({ length: 60 }, () => monolithPayment());

    let turns = 0;
    let ticking = true;
    const tick = () => {
      turns += 1;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const prepared = await prepareWork(ctx, [{ mapping: slow, rows, deleted: [] }], { pullParents: false });
    ticking = false;

    expect(turns).toBeGreaterThanOrEqual(5);
    const own = prepared.byMapping.get('payments')?.rows ?? [];
    expect(own.map((row) => row.key[0])).toEqual(rows.map((row) => row.id));
    expect(own.every((row) => row.hash && row.written && row.invalid === undefined)).toBe(true);
  });
});
