// The pod names a CosmosFullNode owns, to tell whether an `instanceOverrides` key names one (§2.2, §2.8).
// Names follow the one compatibility contract in reconcile/fullnode/names.ts (Go's kube.ToName).
import { toName } from '../reconcile/fullnode/names.ts';

export { toName };

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
