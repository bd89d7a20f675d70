// The pod names a CosmosFullNode owns, to tell whether an `instanceOverrides` key names one (§2.2, §2.8).
// toName is the Go operator's kube.ToName: keep [A-Za-z0-9.-], trim non-alphanumeric ends, and cut
// the middle out to fit 253 characters.

const NAME_LIMIT = 253;

export function toName(value: string): string {
  const kept = value.replace(/[^A-Za-z0-9.-]/g, '').replace(/^[.-]+/, '').replace(/[.-]+$/, '');
  return trimMiddle(kept, NAME_LIMIT);
}

function trimMiddle(value: string, limit: number): string {
  if (value.length <= limit) return value;
  const left = Math.floor(limit / 2);
  const right = limit % 2 === 0 ? left : left + 1;
  return value.slice(0, left) + value.slice(value.length - right);
}

/** Main pods `inst(i)` for every ordinal in [start, start+replicas), and additional pods `<name>-<i>`. */
export function fullNodePodNames(name: string, start: number, replicas: number, additionalPodNames: readonly string[]): Set<string> {
  const app = toName(name);
  const names = new Set<string>();
  const count = Math.min(Math.max(0, replicas), 100_000); // the names are only used to warn; bound the work
  for (let ordinal = start; ordinal < start + count; ordinal++) {
    names.add(toName(`${app}-${ordinal}`));
    for (const additional of additionalPodNames) names.add(toName(`${additional}-${ordinal}`));
  }
  return names;
}
