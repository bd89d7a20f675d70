// Which chain.versions entry a pod runs (docs/compatibility.md §2.9). Pure.
//
// `height` is status.height[pod]: the last committed block + 1 (0 when unknown). As Go's pod
// builder: walk the versions in the order given, keep each one at or below the height, stop at
// the first one above it. Admission requires ascending heights, so this is "the last version at
// or below the height"; objects from before admission may be unordered, and then the walk's
// order decides, as it did in Go. No sorting here.

/** What selection reads of a chain.versions entry. */
export interface VersionAtHeight {
  height: number;
}

/** The version to run at `height`, or undefined when none applies (no versions, or the first is above). */
export function selectVersion<V extends VersionAtHeight>(
  versions: readonly V[] | null | undefined,
  height: number,
): V | undefined {
  const index = selectVersionIndex(versions, height);
  return index < 0 ? undefined : versions![index];
}

/** The index of selectVersion's choice in `versions`, -1 when none applies. */
export function selectVersionIndex(versions: readonly VersionAtHeight[] | null | undefined, height: number): number {
  let chosen = -1;
  for (const [index, version] of (versions ?? []).entries()) {
    if (height < version.height) break;
    chosen = index;
  }
  return chosen;
}
