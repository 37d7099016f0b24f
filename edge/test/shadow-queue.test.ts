import { BoundedWorkQueue } from '../src/shadow/bounded-work-queue';
import { RingBuffer } from '../src/shadow/ring-buffer';
import { OTHER, RouteReport, fieldLabel } from '../src/shadow/route-report';

describe('BoundedWorkQueue', () => {
  it('reserves maxConcurrent running slots and maxWaiting more, refuses the rest, and runs nothing synchronously', async () => {
    const started: number[] = [];
    const release: Array<() => void> = [];
    const queue = new BoundedWorkQueue<number>(1, 1, (n) => {
      started.push(n);
      return new Promise<void>((resolve) => release.push(resolve));
    });
    expect([queue.offer(1), queue.offer(2), queue.offer(3)]).toEqual(['accepted', 'accepted', 'full']);
    expect(started).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([1]);
    expect([queue.inFlight, queue.queued]).toEqual([1, 1]);
    release.shift()!();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(started).toEqual([1, 2]);
    release.shift()!();
    await queue.whenIdle();
    expect(queue.inFlight).toBe(0);
  });

  it('on close refuses new work, hands back the waiting items, and whenIdle waits for the running one', async () => {
    let finish!: () => void;
    const queue = new BoundedWorkQueue<string>(1, 5, () => new Promise<void>((resolve) => (finish = resolve)));
    queue.offer('a');
    queue.offer('b');
    await new Promise((resolve) => setImmediate(resolve));
    expect(queue.close()).toEqual(['b']);
    expect(queue.offer('c')).toBe('closed');
    let idle = false;
    const done = queue.whenIdle().then(() => (idle = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(idle).toBe(false);
    finish();
    await done;
    expect(idle).toBe(true);
  });

  it('frees the slot when a task fails', async () => {
    const queue = new BoundedWorkQueue<number>(1, 0, async () => {
      throw new Error('boom');
    });
    queue.offer(1);
    await queue.whenIdle();
    await new Promise((resolve) => setImmediate(resolve));
    expect(queue.offer(2)).toBe('accepted');
    await queue.whenIdle();
  });

  it('rejects nonsense limits at construction', () => {
    expect(() => new BoundedWorkQueue(0, 1, async () => undefined)).toThrow(/maxConcurrent/);
  });
});

describe('RingBuffer', () => {
  it('keeps the latest items, oldest first', () => {
    const ring = new RingBuffer<number>(3);
    [1, 2].forEach((n) => ring.push(n));
    expect(ring.toArray()).toEqual([1, 2]);
    [3, 4, 5].forEach((n) => ring.push(n));
    expect(ring.toArray()).toEqual([3, 4, 5]);
    const none = new RingBuffer<number>(0);
    none.push(1);
    expect(none.toArray()).toEqual([]);
  });
});

describe('field labels', () => {
  it('generalise indexes and fold new labels into "other" past the cap', () => {
    expect(fieldLabel('/payments/3/amount', new Set(), 10)).toBe('/payments/*/amount');
    expect(fieldLabel('status', new Set(), 10)).toBe('status');
    expect(fieldLabel('/new', new Set(['/a', '/b']), 2)).toBe(OTHER);
    expect(fieldLabel('/a', new Set(['/a', '/b']), 2)).toBe('/a');
  });

  it('count once per label per request', () => {
    const report = new RouteReport('payments', 'GET /api/payments', 2, 50);
    expect(report.countFields(['/payments/0/status', '/payments/1/status', 'status'])).toEqual([
      { label: '/payments/*/status', first: true },
      { label: 'status', first: true },
    ]);
    expect(report.countFields(['/payments/5/status'])).toEqual([{ label: '/payments/*/status', first: false }]);
    expect(Object.fromEntries(report.fields)).toEqual({ '/payments/*/status': 2, status: 1 });
  });
});
