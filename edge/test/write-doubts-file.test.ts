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
  const log = {
    info: (_: object, message: string) => logged.push({ level: 'info', message }),
    warn: (_: object, message: string) => logged.push({ level: 'warn', message }),
    error: (_: object, message: string) => logged.push({ level: 'error', message }),
  };
  const fences: WriteFences[] = [];
  /**
   * A process of the edge on `file`, its clocks given (monotonic from 0 by default: a new process).
   * Its longest write deadline is 0 unless given: a start after a crash then adds no doubt of its own
   * beyond the margin (tested on its own below, "after an unclean stop").
   */
  const boot = (clock: { wall: number; mono: number }, on: FenceFile = new FenceFile(file), skewMarginMs = 0, maxWriteDeadlineMs = 0) => {
    const clocks: FenceClocks = { wall: () => clock.wall, monotonic: () => clock.mono, skewMarginMs, maxWriteDeadlineMs, bootId: `boot-${fences.length}`, file: on, log };
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
    // (And that this process runs and lets payments writes through: see "after an unclean stop".)
    expect(onDisk()).toEqual({
      holds: [],
      doubts: [{ capability: 'payments', count: 1, until: 1_700_000_005_000 }],
      running: { bootId: 'boot-0', since: clock.wall, inDoubtMs: 2_000, wrote: ['payments'] },
    });
    // SIGKILL (nothing more runs in `first`), and a new process 1 s later: its own monotonic clock.
    const later = { wall: clock.wall + 1_000, mono: 0 };
    const restarted = boot(later);
    // The unclean stop adds one write in doubt for the first process's 2 s (0 + its margin), from the start.
    expect(restarted.snapshot('payments')).toMatchObject({ inFlightWrites: 2, inDoubtWrites: 2, inDoubtUntil: 1_700_000_005_000, bootId: 'boot-1' });
    expect(restarted.snapshot('auth')).toMatchObject({ inFlightWrites: 0, inDoubtWrites: 0 });
    expect(logged).toEqual([
      { level: 'info', message: expect.stringContaining('restored writes a previous process of this edge gave up on') },
      { level: 'warn', message: expect.stringContaining('did not stop cleanly') },
    ]);
    later.mono = 2_000;
    expect(restarted.snapshot('payments').inDoubtWrites).toBe(1);
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
    // Saved at the start (the process runs) and before the first payments write is sent (it lets them through).
    giveUp(edge, clock.wall + 1_000);
    const before = counting.saves;
    expect(before).toBe(3);
    for (let i = 1; i < 1_000; i += 1) giveUp(edge, clock.wall + 1_000 + i);
    expect(counting.saves).toBe(before);
    expect(onDisk().doubts).toEqual([{ capability: 'payments', count: 1, until: 2_001_000 }]);
    await eventually(async () => counting.saves === before + 1, 5 * DOUBT_SAVE_INTERVAL_MS + 1_000, 10);
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
    const edge = new WriteFences({ wall: Date.now, monotonic: () => performance.now(), skewMarginMs: 0, maxWriteDeadlineMs: 0, bootId: 'real', file: new FenceFile(file) });
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

  describe('after an unclean stop (decision 0038, amendment 2)', () => {
    it('puts each capability the previous process let writes through in doubt for one longest deadline plus the margin, from the start', () => {
      const clock = { wall: 30_000_000, mono: 0 };
      const first = boot(clock, new FenceFile(file), 2_000, 60_000);
      // A write sent and still awaiting its answer (not given up on: nothing of it on file but "payments took writes").
      const ticket = first.ticket(['payments']);
      if (!ticket.ok) throw new Error('refused');
      expect(first.admit(ticket, aWrite()).ok).toBe(true);
      expect(onDisk()).toEqual({ holds: [], doubts: [], running: { bootId: 'boot-0', since: 30_000_000, inDoubtMs: 62_000, wrote: ['payments'] } });
      // SIGKILL; a new process 5 s later.
      const later = { wall: 30_005_000, mono: 0 };
      const restarted = boot(later, new FenceFile(file), 2_000, 60_000);
      expect(restarted.snapshot('payments')).toMatchObject({ inFlightWrites: 1, inDoubtWrites: 1, inDoubtUntil: 30_005_000 + 62_000 });
      // A capability it let no writes through for holds no switch up.
      expect(restarted.snapshot('auth')).toMatchObject({ inFlightWrites: 0, inDoubtWrites: 0 });
      expect(logged).toEqual([{ level: 'warn', message: expect.stringContaining(`did not stop cleanly: the writes it may have had in flight are in doubt (a switch waits for them) until ${new Date(30_067_000).toISOString()}`) }]);
      // On file at once (a second crash keeps it), with this process now running and having let nothing through.
      expect(onDisk()).toEqual({ holds: [], doubts: [{ capability: 'payments', count: 1, until: 30_067_000 }], running: { bootId: 'boot-1', since: 30_005_000, inDoubtMs: 62_000, wrote: [] } });
      later.mono = 61_999;
      expect(restarted.snapshot('payments').inDoubtWrites).toBe(1);
      later.mono = 62_000;
      expect(restarted.snapshot('payments')).toMatchObject({ inFlightWrites: 0, inDoubtWrites: 0 });
    });

    it("takes the previous process's longest deadline when it was longer than this one's (a restart with shorter timeouts)", () => {
      boot({ wall: 40_000_000, mono: 0 }, new FenceFile(file), 2_000, 600_000).raise('payments', 'switch', 1_000);
      const first = fences[0]!;
      const ticket = first.ticket(['auth']);
      if (!ticket.ok) throw new Error('refused');
      first.admit(ticket, aWrite());
      const restarted = boot({ wall: 40_001_000, mono: 0 }, new FenceFile(file), 2_000, 5_000);
      expect(restarted.snapshot('auth')).toMatchObject({ inDoubtWrites: 1, inDoubtUntil: 40_001_000 + 602_000 });
    });

    it('a graceful stop records the clean stop: the next start puts nothing in doubt', () => {
      const clock = { wall: 50_000_000, mono: 0 };
      const first = boot(clock, new FenceFile(file), 2_000, 60_000);
      giveUp(first, clock.wall + 1_000);
      first.close();
      expect(onDisk()).toEqual({ holds: [], doubts: [{ capability: 'payments', count: 1, until: 50_003_000 }] });
      const restarted = boot({ wall: 50_000_500, mono: 0 }, new FenceFile(file), 2_000, 60_000);
      // Only the write it gave up on, until its own time.
      expect(restarted.snapshot('payments')).toMatchObject({ inDoubtWrites: 1, inDoubtUntil: 50_003_000 });
      expect(logged.filter((l) => l.level === 'warn')).toEqual([]);
    });

    it('a graceful stop with a write still awaiting its answer keeps that capability in doubt for one longest deadline', () => {
      const clock = { wall: 60_000_000, mono: 0 };
      const first = boot(clock, new FenceFile(file), 2_000, 60_000);
      const ticket = first.ticket(['payments']);
      if (!ticket.ok) throw new Error('refused');
      const admitted = first.admit(ticket, aWrite());
      if (!admitted.ok) throw new Error('refused');
      clock.mono = 1_000;
      clock.wall += 1_000;
      first.close();
      expect(onDisk()).toEqual({ holds: [], doubts: [{ capability: 'payments', count: 1, until: 60_063_000 }] });
      // Given up on as the server's connections close, after: already counted, not twice.
      admitted.done({ answered: false, deadline: clock.wall + 1_000 });
      first.close();
      expect(onDisk()).toEqual({ holds: [], doubts: [{ capability: 'payments', count: 1, until: 60_063_000 }] });
    });

    it('a first start (no file) and a start after a process that let no writes through put nothing in doubt', () => {
      const first = boot({ wall: 70_000_000, mono: 0 }, new FenceFile(file), 2_000, 60_000);
      expect(first.snapshot('payments')).toMatchObject({ inDoubtWrites: 0 });
      expect(logged).toEqual([]);
      const restarted = boot({ wall: 70_001_000, mono: 0 }, new FenceFile(file), 2_000, 60_000);
      expect(restarted.snapshot('payments')).toMatchObject({ inDoubtWrites: 0 });
      expect(logged).toEqual([{ level: 'info', message: expect.stringContaining('it had let no writes through: none in doubt') }]);
    });

    it("refuses a capability's first write, retryably, while it cannot record on file that this process lets them through", () => {
      class FailingFile extends FenceFile {
        failing = false;
        override save(contents: FenceFileContents): void {
          if (this.failing) throw new Error('disk full');
          super.save(contents);
        }
      }
      const failing = new FailingFile(file);
      const clock = { wall: 80_000_000, mono: 0 };
      const edge = boot(clock, failing, 2_000, 60_000);
      failing.failing = true;
      const ticket = edge.ticket(['payments']);
      if (!ticket.ok) throw new Error('refused');
      expect(edge.admit(ticket, aWrite())).toEqual({ ok: false, capability: 'payments', until: 80_001_000 });
      expect(edge.snapshot('payments').inFlightWrites).toBe(0);
      expect(logged).toEqual([{ level: 'error', message: expect.stringContaining('refusing them (retryable)') }]);
      failing.failing = false;
      expect(edge.admit(ticket, aWrite()).ok).toBe(true);
      expect(onDisk().running?.wrote).toEqual(['payments']);
    });
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
