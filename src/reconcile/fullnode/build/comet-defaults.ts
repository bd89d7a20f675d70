// The TOML the overlays start from (docs/compatibility.md §2.5; Go's
// internal/fullnode/toml/comet_default_config.toml and app_default_config.toml). Operator values
// and then the user's overrides are merged over these, and the init container `config-merge` lays
// the result over the files `<binary> init` wrote, so only keys the operator cares about appear here.
import { parseToml, type TomlTable } from './toml-merge.ts';

export const COMET_DEFAULT_CONFIG_TOML = `log_level = "info"
log_format = "plain"
priv_validator_laddr = ""

[p2p]
laddr = "tcp://0.0.0.0:26656"
max_num_inbound_peers = 20
max_num_outbound_peers = 20

[rpc]
laddr = "tcp://0.0.0.0:26657"
cors_allowed_origins = []

[tx_index]
indexer = "kv"

[instrumentation]
prometheus = true
prometheus_listen_addr = ":26660"
`;

// "enabled-unsafe-cors" (api) and "enable-unsafe-cors" (grpc-web) differ on purpose: that is
// what the Cosmos SDK's app.toml calls them.
export const APP_DEFAULT_CONFIG_TOML = `[api]
enable = true
swagger = true
address = "tcp://0.0.0.0:1317"
enabled-unsafe-cors = false

[grpc]
enable = true
address = "0.0.0.0:9090"

[grpc-web]
enable = true
address = "0.0.0.0:9091"
enable-unsafe-cors = false
`;

/** A fresh copy of the config.toml defaults. */
export function defaultCometConfig(): TomlTable {
  return parseToml(COMET_DEFAULT_CONFIG_TOML);
}

/** A fresh copy of the app.toml defaults. */
export function defaultAppConfig(): TomlTable {
  return parseToml(APP_DEFAULT_CONFIG_TOML);
}
