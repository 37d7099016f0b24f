import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultManifestsDir } from '@strangler/cutover-model';
import { loadDataConfig } from '../src';

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

  // OPEN (reported, not fixed here: loadCapabilities is all or nothing by design, decision of the
  // engine split): a half-written auth.json stops `npm run data sync payments` from starting and makes
  // `strangler rollback payments` from live fail in its write switch (SwitchDatabases → loadDataConfig),
  // so a payments rollback depends on an unrelated file. The CLI's own lookup tolerates it already.
  it.failing('a half-written auth.json leaves payments usable', () => {
    writeFileSync(path.join(dir, 'auth.json'), '{"name": "auth", "serv');
    expect(loadDataConfig({ MANIFESTS_DIR: dir }).capabilities.map((c) => c.name)).toContain('payments');
  });
});
