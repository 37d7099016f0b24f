import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FenceFile, FenceFileError, type FenceFileContents } from '../src/consistency/fence-file';
import { DOUBT_SAVE_INTERVAL_MS, MAX_RESTORED_DOUBT_MS, WriteFences, type FenceClocks } from '../src/consistency/write-fence';
import { eventually } from '../src/testing';

/**
 * Decision 0038 (amended): the writes an edge gave up on — in doubt until their deadline plus the skew
 * margin — are kept in EDGE_FENCE_FILE, so an edge that crashes and restarts still reports them and a
 * switch started after the restart waits for them. Each `WriteFences` below on the same file is a new
 * process of the edge: a new monotonic clock, the same wall clock.
 */
class CountingFile extends FenceFile {
  saves = 0;
  override save(contents: FenceFileContents): void {
    this.saves += 1;
    super.save(contents);
  }
}

const aWrite = () => ({ bodyComplete: () => true, abort: () => undefined });

describe('writes in doubt kept in the fence file', () => {
  let dir: string;
  let file: string;
  const logged: Array<{ level: string; message: string }> = [];
  const log = { info: (_: object, message: string) => logged.push({ level: 'info', message }), error: (_: object, message: string) => logged.push({ level: 'error', message }) };
  const fences: WriteFences[] = [];
  /** A process of the edge on `file`, its clocks given (monotonic from 0 by default: a new process). */
  const boot = (clock: { wall: number; mono: number }, on: FenceFile = new FenceFile(file), skewMarginMs = 0) => {
    const clocks: FenceClocks = { wall: () => clock.wall, monotonic: () => clock.mono, skewMarginMs, bootId: `boot-${fences.length}`, file: on, log };
    const started = new WriteFences(clocks);
    fences.push(started);
    return started;
  };
  /** A write let through and then given up on (no answer), its deadline an epoch time. */
  const giveUp = (edge: WriteFences, deadline: number, capabilities = ['payments']) => {
    const ticket = edge.ticket(capabilities);
    if (!ticket.ok) throw new Error('refused');
    const admitted = edge.admit(ticket, aWrite());
    if (!admitted.ok) throw new Error('refused');
    admitted.done({ answered: false, deadline });
  };
  const onDisk = () => JSON.parse(readFileSync(file, 'utf8')) as FenceFileContents;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'write-doubts-'));
    file = path.join(dir, 'fences.json');
    logged.length = 0;
  });
  afterEach(() => {
    for (const edge of fences.splice(0)) edge.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a write given up on is on disk when the call returns, and a restarted edge reports it in doubt until its time, then not', () => {
    const clock = { wall: 1_700_000_000_000, mono: 5 };
    const first = boot(clock, new FenceFile(file), 2_000);
    giveUp(first, clock.wall + 3_000);
    // No timer has run: the first save is synchronous. Nothing else is kept: no body, no caller.
    expect(onDisk()).toEqual({ holds: [], doubts: [{ capability: 'payments', count: 1, until: 1_700_000_005_000 }] });
    // SIGKILL (nothing more runs in `first`), and a new process 1 s later: its own monotonic clock.
    const later = { wall: clock.wall + 1_000, mono: 0 };
    const restarted = boot(later);
    expect(restarted.snapshot('payments')).toMatchObject({ inFlightWrites: 1, inDoubtWrites: 1, inDoubtUntil: 1_700_000_005_000, bootId: 'boot-1' });
    expect(restarted.snapshot('auth')).toMatchObject({ inFlightWrites: 0, inDoubtWrites: 0 });
    expect(logged).toEqual([{ level: 'info', message: expect.stringContaining('restored writes a previous process of this edge gave up on') }]);
    later.mono = 3_999;
    expect(restarted.snapshot('payments').inDoubtWrites).toBe(1);
    later.mono = 4_000;
    expect(restarted.snapshot('payments')).toMatchObject({ inFlightWrites: 0, inDoubtWrites: 0 });
    expect(restarted.snapshot('payments').inDoubtUntil).toBeUndefined();
    // A process started after that time restores nothing.
    expect(boot({ wall: clock.wall + 5_000, mono: 0 }).snapshot('payments').inDoubtWrites).toBe(0);
  });

  it('keeps holds and doubts together: a raise or a lower does not drop the doubts, a doubt does not drop the holds', () => {
    const clock = { wall: 1_000_000, mono: 0 };
    const edge = boot(clock);
    giveUp(edge, clock.wall + 4_000, ['payments', 'auth']);
    edge.raise('auth', 'switch-1', 10_000);
    edge.lower('auth', 'switch-1');
    edge.raise('auth', 'switch-2', 10_000);
    const restarted = boot({ wall: clock.wall, mono: 0 });
    expect(restarted.snapshot('auth')).toMatchObject({ raised: true, holds: [{ owner: 'switch-2' }], inDoubtWrites: 1 });
    expect(restarted.snapshot('payments')).toMatchObject({ raised: false, inDoubtWrites: 1, inDoubtUntil: 1_004_000 });
  });

  it('a storm of 1,000 writes given up on at once is two saves of the file, not 1,000, and the second holds them all', async () => {
    const counting = new CountingFile(file);
    const clock = { wall: 2_000_000, mono: 0 };
    const edge = boot(clock, counting);
    for (let i = 0; i < 1_000; i += 1) giveUp(edge, clock.wall + 1_000 + i);
    expect(counting.saves).toBe(1);
    expect(onDisk().doubts).toEqual([{ capability: 'payments', count: 1, until: 2_001_000 }]);
    await eventually(async () => counting.saves === 2, 5 * DOUBT_SAVE_INTERVAL_MS + 1_000, 10);
    // Rounded up to the second: a few entries, each never earlier than the writes it stands for.
    expect(onDisk().doubts).toEqual([
      { capability: 'payments', count: 1, until: 2_001_000 },
      { capability: 'payments', count: 999, until: 2_002_000 },
    ]);
    expect(boot({ wall: clock.wall, mono: 0 }).snapshot('payments')).toMatchObject({ inDoubtWrites: 1_000, inDoubtUntil: 2_002_000 });
  });

  it('stays bounded: doubts spread over many seconds collapse to one entry per capability, its latest time, their count', () => {
    const clock = { wall: 3_000_000, mono: 0 };
    const edge = boot(clock);
    for (let i = 0; i < 300; i += 1) giveUp(edge, clock.wall + 1_000 * (i + 1));
    edge.close();
    expect(onDisk().doubts).toEqual([{ capability: 'payments', count: 300, until: 3_300_000 }]);
  });

  it('a graceful stop saves what a storm had not saved yet', () => {
    const counting = new CountingFile(file);
    const clock = { wall: 4_000_000, mono: 0 };
    const edge = boot(clock, counting);
    giveUp(edge, clock.wall + 1_000);
    giveUp(edge, clock.wall + 1_000);
    expect(onDisk().doubts).toEqual([{ capability: 'payments', count: 1, until: 4_001_000 }]);
    edge.close();
    expect(onDisk().doubts).toEqual([{ capability: 'payments', count: 2, until: 4_001_000 }]);
  });

  it('drops a doubt from the file once it has expired', async () => {
    // Real clocks: the expiry is a timer.
    const edge = new WriteFences({ wall: Date.now, monotonic: () => performance.now(), skewMarginMs: 0, bootId: 'real', file: new FenceFile(file) });
    fences.push(edge);
    giveUp(edge, Date.now() + 100);
    expect(onDisk().doubts).toHaveLength(1);
    await eventually(async () => onDisk().doubts.length === 0, 3_000, 50);
  });

  it('restores a doubt for at most MAX_RESTORED_DOUBT_MS (a wall clock stepped back between the processes)', () => {
    writeFileSync(file, JSON.stringify({ holds: [], doubts: [{ capability: 'payments', count: 2, until: 10_000_000 + 3_600_000 }] }));
    const edge = boot({ wall: 10_000_000, mono: 0 });
    expect(edge.snapshot('payments')).toMatchObject({ inDoubtWrites: 2, inDoubtUntil: 10_000_000 + MAX_RESTORED_DOUBT_MS });
  });

  it('reads a file written before doubts were kept (holds only)', () => {
    writeFileSync(file, JSON.stringify({ holds: [{ capability: 'payments', owner: 'switch', expiresAt: 20_005_000 }] }));
    const edge = boot({ wall: 20_000_000, mono: 0 });
    expect(edge.snapshot('payments')).toMatchObject({ raised: true, inDoubtWrites: 0 });
  });

  // Decision 0039 already stops the boot on an unreadable file (its holds are unknown); the doubts it
  // may hold are unknown too, and an edge that does not start forwards nothing and fails a switch's drain.
  it.each([
    ['truncated', '{"holds": [], "doubts": [{"capabil'],
    ['a doubt without a time', JSON.stringify({ holds: [], doubts: [{ capability: 'payments', count: 1 }] })],
    ['a negative count', JSON.stringify({ holds: [], doubts: [{ capability: 'payments', count: -1, until: 1 }] })],
  ])('refuses to start on a corrupt file (%s), naming it', (_, text) => {
    writeFileSync(file, text);
    expect(() => boot({ wall: 0, mono: 0 })).toThrow(FenceFileError);
    expect(() => boot({ wall: 0, mono: 0 })).toThrow(`the write fence file ${file} cannot be used`);
  });
});
