// Which chain.versions entry a pod runs (spec §2.4 "Versions", §2.9). Pure.
//
// `height` is status.height[pod]: the last committed block + 1 (0 when unknown). Versions are
// walked in the order given and the last one whose height is at or below it wins; admission
// requires ascending heights, objects from before it may not have them, so no sorting here.

/** What selection reads of a chain.versions entry. */
export interface VersionAtHeight {
  height: number;
}

/** The version to run at `height`, or undefined when none applies (no versions, or all above). */
export function selectVersion<V extends VersionAtHeight>(versions: readonly V[] | null | undefined, height: number): V | undefined {
  let chosen: V | undefined;
  for (const version of versions ?? []) {
    if (version.height <= height) chosen = version;
  }
  return chosen;
}

/** The index of selectVersion's choice in `versions`, -1 when none applies. */
export function selectVersionIndex(versions: readonly VersionAtHeight[] | null | undefined, height: number): number {
  let chosen = -1;
  (versions ?? []).forEach((version, index) => {
    if (version.height <= height) chosen = index;
  });
  return chosen;
}
