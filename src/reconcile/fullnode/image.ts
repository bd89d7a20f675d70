// The image tag as the `app.kubernetes.io/version` label (spec §2.2, Go kube.ParseImageVersion).

/**
 * The text after ':' when the reference splits on ':' into exactly two parts, else "latest".
 * So "ghcr.io/x/gaia:v1" → "v1", "gaia" → "latest", and a registry port ("host:5000/gaia:v1")
 * also gives "latest", as in Go. An empty or missing image gives "latest".
 */
export function imageVersion(image: string | undefined | null): string {
  const parts = (image ?? '').split(':');
  return parts.length === 2 ? parts[1]! : 'latest';
}
