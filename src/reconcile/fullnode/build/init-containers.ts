// The init containers of a chain pod, in order (docs/compatibility.md §2.4): clean-init,
// chain-init, genesis-init, addrbook-init, config-merge, [snapshot-restore], version-check. Each
// runs `sh -c <script>`; a download script gets its URL as $1 through
// `sh -c <script> -s <URL>` ($0 is "-s").
//
// No value from the spec is ever written into a script's text: chain-init gets the chain binary,
// chain ID, moniker and additionalInitArgs as positional parameters and runs them as "$@", and the
// download scripts get their URL as $1. Only genesisScript, addrbookScript and snapshotScript,
// which are shell scripts by definition, are script text.
import type { V1Container, V1EnvVar, V1SecurityContext } from '@kubernetes/client-node';
import type { CosmosFullNode } from '../../../api/cosmosfullnode.ts';
import type { SidecarImage } from './sidecar.ts';

/** The image with sh, wget, tar, lz4, zstd, unzip and config-merge that the Go operator uses. */
export const INFRA_TOOLKIT_IMAGE = 'ghcr.io/strangelove-ventures/infra-toolkit:v0.1.6';
export const WORK_DIR = '/home/operator';
export const CHAIN_INIT_CONTAINER = 'chain-init';
export const VERSION_CHECK_INIT_CONTAINER = 'version-check';

/** Resource requests of the operator's own sidecars (healthcheck, version checks). */
export const SIDECAR_RESOURCES = { requests: { cpu: '5m', memory: '16Mi' } };

/**
 * The security context of every container the operator builds (not the user's chain container,
 * which the Go operator left without one): no privilege escalation and no capabilities, as the
 * `restricted` Pod Security Standard asks; the pod runs as 1025 with RuntimeDefault seccomp.
 */
export function operatorSecurityContext(): V1SecurityContext {
  return { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
}

/** `/home/operator/<homeDir>`, with homeDir defaulting to "cosmos". */
export function chainHomeDir(node: CosmosFullNode): string {
  const home = node.spec.chain.homeDir;
  return home !== undefined && home !== null && home !== '' ? joinPath(WORK_DIR, home) : `${WORK_DIR}/cosmos`;
}

/** The environment of every operator container except healthcheck, in the Go operator's order. */
export function chainEnv(node: CosmosFullNode): V1EnvVar[] {
  const home = chainHomeDir(node);
  return [
    { name: 'HOME', value: WORK_DIR },
    { name: 'CHAIN_HOME', value: home },
    { name: 'GENESIS_FILE', value: `${home}/config/genesis.json` },
    { name: 'ADDRBOOK_FILE', value: `${home}/config/addrbook.json` },
    { name: 'CONFIG_DIR', value: `${home}/config` },
    { name: 'DATA_DIR', value: `${home}/data` },
  ];
}

/** The init containers for the instance named `moniker`, without volume mounts. */
export function buildInitContainers(node: CosmosFullNode, moniker: string, sidecar: SidecarImage): V1Container[] {
  const chain = node.spec.chain;
  const tpl = node.spec.podTemplate;
  const initCommand = [chain.binary, 'init', '--chain-id', chain.chainID, moniker, ...(chain.additionalInitArgs ?? [])];
  const common = (name: string, image: string | undefined, args: string[]): V1Container => ({
    name,
    image,
    command: ['sh'],
    args,
    env: chainEnv(node),
    imagePullPolicy: tpl.imagePullPolicy,
    workingDir: WORK_DIR,
    securityContext: operatorSecurityContext(),
  });

  const containers: V1Container[] = [
    // vol-tmp is a fresh emptyDir anyway; the quoted glob matches nothing, as in the Go operator.
    common('clean-init', INFRA_TOOLKIT_IMAGE, ['-c', 'rm -rf "$HOME/.tmp/*"']),
    // $0 is the container's name (sh prefixes its errors with it); the init command is "$@".
    common(CHAIN_INIT_CONTAINER, tpl.image, ['-c', CHAIN_INIT_SCRIPT, CHAIN_INIT_CONTAINER, ...initCommand]),
    common('genesis-init', INFRA_TOOLKIT_IMAGE, genesisArgs(node)),
    common('addrbook-init', INFRA_TOOLKIT_IMAGE, addrbookArgs(node)),
    common('config-merge', INFRA_TOOLKIT_IMAGE, ['-c', CONFIG_MERGE_SCRIPT]),
  ];
  const snapshot = snapshotArgs(node);
  if (snapshot !== undefined) containers.push(common('snapshot-restore', INFRA_TOOLKIT_IMAGE, snapshot));

  // Runs after any snapshot restore, so it reads the restored database: it records the height in
  // status.height and fails while the image is wrong for that height (§5).
  containers.push({
    name: VERSION_CHECK_INIT_CONTAINER,
    image: sidecar.image,
    command: [...sidecar.command, 'versioncheck', ...databaseBackendFlag(node)],
    resources: SIDECAR_RESOURCES,
    env: chainEnv(node),
    imagePullPolicy: tpl.imagePullPolicy,
    workingDir: WORK_DIR,
    // The Go operator set an empty one here.
    securityContext: operatorSecurityContext(),
  });
  return containers;
}

/** `-b <backend>` when chain.databaseBackend is set; the version check defaults to goleveldb. */
export function databaseBackendFlag(node: CosmosFullNode): string[] {
  const backend = node.spec.chain.databaseBackend;
  return backend !== undefined && backend !== null ? ['-b', backend] : [];
}

// The arguments are `<binary> init --chain-id <chainID> <moniker> <additionalInitArgs…>`, each one
// word whatever it holds (the Go operator joined them into the script text).
const CHAIN_INIT_SCRIPT = `
set -eu
if [ ! -d "$CHAIN_HOME/data" ]; then
	echo "Initializing chain..."
	"$@" --home "$CHAIN_HOME"
else
	echo "Skipping chain init; already initialized."
fi

echo "Initializing into tmp dir for downstream processing..."
"$@" --home "$HOME/.tmp"
`;

// The chain's own init wrote a fresh node key and default TOML into $HOME/.tmp/config; the node key
// is replaced by the instance's, and the operator's overlays are merged over the defaults (the
// rightmost file wins).
const CONFIG_MERGE_SCRIPT = `
set -eu
TMP_DIR="$HOME/.tmp/config"
OVERLAY_DIR="$HOME/.config"

echo "Installing the instance's node key..."
mkdir -p "$CONFIG_DIR"
rm -f "$CONFIG_DIR/node_key.json"
cp "$OVERLAY_DIR/node_key.json" "$CONFIG_DIR/node_key.json"

echo "Merging config..."
set -x
if [ -f "$TMP_DIR/config.toml" ]; then
	config-merge -f toml "$TMP_DIR/config.toml" "$OVERLAY_DIR/config-overlay.toml" > "$CONFIG_DIR/config.toml"
fi
if [ -f "$TMP_DIR/app.toml" ]; then
	config-merge -f toml "$TMP_DIR/app.toml" "$OVERLAY_DIR/app-overlay.toml" > "$CONFIG_DIR/app.toml"
fi
`;

// --- genesis ---------------------------------------------------------------------------------

// A node with a database already has its genesis; never touch it again.
function genesisWrapper(body: string): string {
  return `if ls "$DATA_DIR"/*.db > /dev/null 2>&1; then
	echo "Database already initialized; skipping genesis initialization."
	exit 0
fi

${body}

echo "Genesis $GENESIS_FILE initialized."
`;
}

const DOWNLOAD_GENESIS_SCRIPT = `set -eu
GENESIS_URL="$1"
ARCHIVE="$HOME/.tmp/genesis-download"

echo "Downloading genesis $GENESIS_URL to $GENESIS_FILE..."
rm -f "$GENESIS_FILE"
case "$GENESIS_URL" in
-*)
	echo "Refusing a genesis URL that starts with '-' (wget would read it as an option): $GENESIS_URL" >&2
	exit 1
	;;
*.json.gz) wget -c -O - "$GENESIS_URL" | gunzip -c > "$GENESIS_FILE" ;;
*.json) wget -c -O "$GENESIS_FILE" "$GENESIS_URL" ;;
*.tar.gz | *.tar.gzip) wget -c -O - "$GENESIS_URL" | tar -xz -C "$CONFIG_DIR" ;;
*.tar) wget -c -O - "$GENESIS_URL" | tar -x -C "$CONFIG_DIR" ;;
*.zip)
	wget -c -O "$ARCHIVE.zip" "$GENESIS_URL"
	unzip -o "$ARCHIVE.zip" genesis.json -d "$HOME/.tmp/genesis-unzipped"
	mv "$HOME/.tmp/genesis-unzipped/genesis.json" "$GENESIS_FILE"
	rm -rf "$ARCHIVE.zip" "$HOME/.tmp/genesis-unzipped"
	;;
*)
	echo "Unsupported genesis file type: $GENESIS_URL" >&2
	exit 1
	;;
esac
echo "Genesis download complete."
`;

const USE_INIT_GENESIS_SCRIPT = `set -eu
INIT_GENESIS_FILE="$HOME/.tmp/config/genesis.json"
echo "Using the genesis file from chain init, $INIT_GENESIS_FILE..."
mv "$INIT_GENESIS_FILE" "$GENESIS_FILE"
`;

/** genesisScript wins over genesisURL; without either, the genesis from `<binary> init` is used. */
function genesisArgs(node: CosmosFullNode): string[] {
  const { genesisScript, genesisURL } = node.spec.chain;
  if (isSet(genesisScript)) return ['-c', genesisWrapper(genesisScript)];
  if (isSet(genesisURL)) return ['-c', genesisWrapper(DOWNLOAD_GENESIS_SCRIPT), '-s', genesisURL];
  return ['-c', genesisWrapper(USE_INIT_GENESIS_SCRIPT)];
}

// --- address book ----------------------------------------------------------------------------

function addrbookWrapper(body: string): string {
  return `if [ -f "$CONFIG_DIR/addrbook.json" ]; then
	echo "Address book already exists."
	exit 0
fi

${body}

echo "Address book $ADDRBOOK_FILE downloaded."
`;
}

const DOWNLOAD_ADDRBOOK_SCRIPT = `set -eu
ADDRBOOK_URL="$1"
ARCHIVE="$HOME/.tmp/addrbook-download"

echo "Downloading address book $ADDRBOOK_URL to $ADDRBOOK_FILE..."
rm -f "$ADDRBOOK_FILE"
case "$ADDRBOOK_URL" in
-*)
	echo "Refusing an address book URL that starts with '-' (wget would read it as an option): $ADDRBOOK_URL" >&2
	exit 1
	;;
*.json.gz) wget -c -O - "$ADDRBOOK_URL" | gunzip -c > "$ADDRBOOK_FILE" ;;
*.json) wget -c -O "$ADDRBOOK_FILE" "$ADDRBOOK_URL" ;;
*.tar.gz | *.tar.gzip) wget -c -O - "$ADDRBOOK_URL" | tar -xz -C "$CONFIG_DIR" ;;
*.tar) wget -c -O - "$ADDRBOOK_URL" | tar -x -C "$CONFIG_DIR" ;;
*.zip)
	wget -c -O "$ARCHIVE.zip" "$ADDRBOOK_URL"
	unzip -o "$ARCHIVE.zip" addrbook.json -d "$HOME/.tmp/addrbook-unzipped"
	mv "$HOME/.tmp/addrbook-unzipped/addrbook.json" "$ADDRBOOK_FILE"
	rm -rf "$ARCHIVE.zip" "$HOME/.tmp/addrbook-unzipped"
	;;
*)
	echo "Unsupported address book file type: $ADDRBOOK_URL" >&2
	exit 1
	;;
esac
echo "Address book download complete."
`;

/** addrbookScript wins over addrbookURL; without either the chain's default (empty) book is kept. */
function addrbookArgs(node: CosmosFullNode): string[] {
  const { addrbookScript, addrbookURL } = node.spec.chain;
  if (isSet(addrbookScript)) return ['-c', addrbookWrapper(addrbookScript)];
  if (isSet(addrbookURL)) return ['-c', addrbookWrapper(DOWNLOAD_ADDRBOOK_SCRIPT), '-s', addrbookURL];
  return ['-c', 'echo Using default address book'];
}

// --- snapshot --------------------------------------------------------------------------------

// The data directory holds other files too (priv_validator_state.json); only *.db files mean a
// database exists.
function snapshotWrapper(body: string): string {
  return `set -eu
if [ -n "$(find "$DATA_DIR" -maxdepth 1 -name '*.db' -print -quit 2> /dev/null)" ]; then
	echo "Databases in $DATA_DIR already exist; skipping snapshot restore."
	exit 0
fi

${body}

echo "$DATA_DIR initialized."
`;
}

const DOWNLOAD_SNAPSHOT_SCRIPT = `set -eu
SNAPSHOT_URL="$1"

echo "Downloading snapshot $SNAPSHOT_URL into $CHAIN_HOME..."
case "$SNAPSHOT_URL" in
-*)
	echo "Refusing a snapshot URL that starts with '-' (wget would read it as an option): $SNAPSHOT_URL" >&2
	exit 1
	;;
*.tar.lz4) wget -c -O - "$SNAPSHOT_URL" | lz4 -c -d | tar -x -C "$CHAIN_HOME" ;;
*.tar.zst) wget -c -O - "$SNAPSHOT_URL" | zstd -c -d | tar -x -C "$CHAIN_HOME" ;;
*.tar.gz | *.tar.gzip) wget -c -O - "$SNAPSHOT_URL" | tar -xz -C "$CHAIN_HOME" ;;
*.tar) wget -c -O - "$SNAPSHOT_URL" | tar -x -C "$CHAIN_HOME" ;;
*)
	echo "Unsupported snapshot file type: $SNAPSHOT_URL" >&2
	exit 1
	;;
esac
echo "Snapshot restore complete."
`;

/** snapshotScript wins over snapshotURL; undefined when neither is set (no snapshot-restore). */
function snapshotArgs(node: CosmosFullNode): string[] | undefined {
  const { snapshotScript, snapshotURL } = node.spec.chain;
  if (isSet(snapshotScript)) return ['-c', snapshotWrapper(snapshotScript)];
  if (isSet(snapshotURL)) return ['-c', snapshotWrapper(DOWNLOAD_SNAPSHOT_SCRIPT), '-s', snapshotURL];
  return undefined;
}

// The Go operator tested these pointers for nil, so an empty string still counts as set.
function isSet(value: string | null | undefined): value is string {
  return value !== undefined && value !== null;
}

/** path.Join for two segments: one slash between them, "." and ".." resolved, no trailing slash. */
function joinPath(base: string, rest: string): string {
  const parts: string[] = [];
  for (const part of `${base}/${rest}`.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}
