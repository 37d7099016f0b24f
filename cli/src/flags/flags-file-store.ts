import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildFlagsDocument, parseFlagsDocument, type FeatureDefinition } from '@strangler/cutover-model';
import type { CapabilityRef } from '../capabilities';
import { CliError } from '../cli-error';
import { flagStateOf, movedSince, readsBackAs, rolloutStrategy, type DesiredFlag, type FlagState } from './flag-state';
import { FlagMovedError, type FlagStore } from './flag-store';

type RawFeature = FeatureDefinition & Record<string, unknown>;
interface RawDocument {
  features: RawFeature[];
  [key: string]: unknown;
}

/**
 * The edge's local flags file (a saved Unleash `/api/client/features` response). Edits keep whatever
 * else the file holds and its layout, are validated with the edge's own parser before they land, and
 * are written atomically (temp file in the same directory, then rename), so the edge never reads half a file.
 */
export class FlagsFileStore implements FlagStore {
  readonly kind = 'flags-file' as const;
  readonly where: string;

  constructor(private readonly file: string) {
    this.where = file;
  }

  private load(): { text: string; document: RawDocument } {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error) {
      throw new CliError(`cannot read the flags file ${this.file} (FLAGS_FILE): ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    const parsed = parseFlagsDocument(text);
    if (!parsed.ok) {
      throw new CliError(`the flags file ${this.file} is invalid (the edge keeps its last good version): ${parsed.errors.join('; ')}`);
    }
    return { text, document: JSON.parse(text) as RawDocument };
  }

  async read(capability: CapabilityRef): Promise<FlagState> {
    return flagStateOf(this.load().document.features.find((f) => f.name === capability.flag));
  }

  async write(capability: CapabilityRef, desired: DesiredFlag, expected?: FlagState): Promise<FlagState> {
    const { text, document } = this.load();
    const enabled = desired.stage !== 'monolith';
    let feature = document.features.find((f) => f.name === capability.flag);
    const before = flagStateOf(feature);
    const moved = movedSince(expected, before);
    if (moved) throw new FlagMovedError(`${capability.flag}: ${moved}`);
    const generation = before.generation + 1;
    if (!feature) {
      feature = buildFlagsDocument([{ capability: capability.name, flag: capability.flag, enabled, stage: desired.stage, rollout: desired.percentage }]).features[0] as RawFeature;
      feature.strategies = [rolloutStrategy(feature.strategies?.[0], capability.name, desired, generation)];
      document.features.push(feature);
    } else {
      const strategies = feature.strategies ?? [];
      const index = strategies.findIndex((s) => s.name === 'flexibleRollout');
      const strategy = rolloutStrategy(index >= 0 ? strategies[index] : undefined, capability.name, desired, generation);
      feature.strategies = index >= 0 ? strategies.map((s, i) => (i === index ? strategy : s)) : [strategy, ...strategies];
      feature.enabled = enabled;
    }
    const problem = readsBackAs(feature, desired);
    if (problem) throw new CliError(`${capability.flag} in ${this.file} is not shaped as decision 0004 says (one flexibleRollout strategy carrying the stage): ${problem}; edit it by hand`);

    const next = serialise(document, text);
    const valid = parseFlagsDocument(next);
    if (!valid.ok) throw new CliError(`refusing to write an invalid flags file: ${valid.errors.join('; ')}`);
    // Someone (an editor, another flip) changed the file since it was read: do not overwrite their edit.
    if (readFileSync(this.file, 'utf8') !== text) throw new FlagMovedError(`${this.file} changed while this flip was writing it`);
    const temp = path.join(path.dirname(this.file), `.${path.basename(this.file)}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      writeFileSync(temp, next, { mode: statSync(this.file).mode & 0o777 });
      renameSync(temp, this.file);
    } catch (error) {
      rmSync(temp, { force: true });
      throw new CliError(`cannot write the flags file ${this.file}: ${(error as Error).message}`);
    }
    return flagStateOf(feature);
  }
}

/** The same layout as the original: its indentation (or none) and its final newline. */
function serialise(document: RawDocument, original: string): string {
  const indent = /^\{\s*\n([ \t]+)"/.exec(original)?.[1];
  const body = indent ? JSON.stringify(document, null, indent) : JSON.stringify(document);
  return original.endsWith('\n') ? `${body}\n` : body;
}
