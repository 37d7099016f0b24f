import express from 'express';

/** TRUST_PROXY in express's own syntax: true/false, a hop count, or a list of names/addresses/CIDRs. */
export function trustProxySetting(value: string): boolean | number | string {
  const trimmed = value.trim();
  if (trimmed === 'true' || trimmed === 'false') return trimmed === 'true';
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  return trimmed;
}

/** Why express would refuse the setting (it compiles address lists eagerly), or undefined. */
export function trustProxyProblem(value: string): string | undefined {
  try {
    express().set('trust proxy', trustProxySetting(value));
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/**
 * express's compiled trust function, remembered per (address, hop): it is pure, and parsing the
 * address against the trusted ranges on every request showed in the profile. Bounded: the memory is
 * dropped whole when it holds `capacity` answers (X-Forwarded-For values are the client's to choose).
 */
export function memoizeTrust(trust: (address: string, hop: number) => boolean, capacity = 4096): (address: string, hop: number) => boolean {
  const answers = new Map<string, boolean>();
  return (address, hop) => {
    const key = hop === 0 ? address : `${hop} ${address}`;
    let answer = answers.get(key);
    if (answer === undefined) {
      answer = trust(address, hop);
      if (answers.size >= capacity) answers.clear();
      answers.set(key, answer);
    }
    return answer;
  };
}
