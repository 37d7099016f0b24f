import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultManifestsDir } from '@strangler/cutover-model';
import { EventEmitter } from 'node:events';
import { loadDataConfig, runDataCommand, type DataIo } from '../src';

/**
 * Red team (#16): a bad edit of one capability's manifest, while another is at live. The edge keeps
 * its last good version of the bad one and goes on routing both; the engine must go on serving the
 * other (its sync worker restarting, the CLI's rollback gates and write switch reading its backlog).
 */
describe('one capability’s invalid manifest and the data engine', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'engine-manifests-'));
    cpSync(defaultManifestsDir(), dir, { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('the shipped manifests load (the probe’s baseline)', () => {
    expect(loadDataConfig({ MANIFESTS_DIR: dir }).capabilities.map((c) => c.name)).toEqual(['auth', 'payments']);
  });

  // Found open by the red team: the engine loaded all manifests or none, so a half-written auth.json
  // stopped `data sync payments` from starting and a payments rollback from live from reading its
  // backlog. A capability's own files are all it needs now.
  it('a half-written auth.json leaves payments usable, and says what is wrong with auth', () => {
    writeFileSync(path.join(dir, 'auth.json'), '{"name": "auth", "serv');
    const config = loadDataConfig({ MANIFESTS_DIR: dir });
    expect(config.capabilities.map((c) => c.name)).toEqual(['payments']);
    expect(config.capabilityProblems.map((p) => [path.basename(p.file), p.field])).toEqual([['auth.json', '(file)']]);
  });

  it('the data CLI runs a payments command with a warning, and refuses an auth one naming the problem', async () => {
    writeFileSync(path.join(dir, 'auth.json'), '{"name": "auth", "serv');
    const run = async (argv: string[]) => {
      let out = '';
      let err = '';
      const io: DataIo = { out: (t) => (out += t), err: (t) => (err += t), interactive: false, process: new EventEmitter() as unknown as DataIo['process'] };
      return { code: await runDataCommand(argv, { MANIFESTS_DIR: dir, LOG_LEVEL: 'silent' }, io), out, err };
    };
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.err).toMatch(/auth\.json/);
    const auth = await run(['status', 'auth']);
    expect(auth.code).toBe(1);
    expect(auth.err).toMatch(/auth\.json: .*\(file\)/);
    // payments: past the manifests (it fails later only for want of its databases in this temp setup).
    const payments = await run(['status', 'payments']);
    expect(payments.err).toMatch(/warning: other manifests have problems/);
    expect(payments.err).not.toMatch(/unknown capability/);
  });
});
