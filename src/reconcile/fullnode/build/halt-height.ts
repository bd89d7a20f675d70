// app.toml `halt-height` when chain.versions is set (docs/compatibility.md §2.9). Pure.
//
// A node halts at the height of the next version that asks for it (setHaltHeight), so the pod can
// be rebuilt with that version's image exactly there. Whenever versions are set the halt height
// is written, 0 included (0 clears a halt left by a previous version), and spec.chain.app.haltHeight
// is ignored.

/** What the halt height reads of a chain.versions entry. */
export interface HaltingVersion {
  height: number;
  setHaltHeight?: boolean | null;
}

/**
 * The halt height for a node at `height` (status.height[pod]: last committed block + 1, 0 when
 * unknown), by the Go loop: walking the versions in order, the candidate is the version's height
 * when it sets a halt height, else 0; stop at the first version above the node; past the last
 * version there is nothing left to halt for.
 *   versions [{0}, {100, setHaltHeight}]: height 50 → 100; height 100 → 0.
 */
export function haltHeightFor(versions: readonly HaltingVersion[], height: number): number {
  let halt = 0;
  for (let index = 0; index < versions.length; index++) {
    const version = versions[index]!;
    halt = version.setHaltHeight === true ? version.height : 0;
    if (height < version.height) break;
    if (index === versions.length - 1) halt = 0;
  }
  return halt;
}
