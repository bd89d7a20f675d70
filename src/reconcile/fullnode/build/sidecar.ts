// The image and entry point of the operator's own containers in chain pods: the healthcheck
// sidecar, and the version-check init container and sidecar (docs/compatibility.md §2.4, §4, §5).

export interface SidecarImage {
  /** Full image reference, with tag. */
  readonly image: string;
  /** The command prefix before the subcommand ("healthcheck" or "versioncheck") and its flags. */
  readonly command: readonly string[];
}

/**
 * What the Go operator puts in its pods: its own image (`:<DockerTag>`, "latest" for untagged
 * builds) running `/manager healthcheck|versioncheck`. This operator ships a different image, so
 * the reconciler passes its own; this default keeps pods identical to the Go operator's.
 */
export const GO_OPERATOR_SIDECAR: SidecarImage = {
  image: 'ghcr.io/strangelove-ventures/cosmos-operator:latest',
  command: ['/manager'],
};
