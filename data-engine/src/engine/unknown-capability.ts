import { CAPABILITIES, findCapability, type Capability } from '../data/capabilities';
import { DataCommandError } from '../data/command-error';

/** The capability the engine moves under `name`, or a one-sentence error listing the ones it knows. */
export function capabilityNamed(name: string): Capability {
  const capability = findCapability(name);
  if (!capability) throw new DataCommandError(`the data engine knows no capability ${name} (it knows ${CAPABILITIES.map((c) => c.name).join(', ')})`);
  return capability;
}
