// The operator's version: from package.json, overridable at deploy time (COSMOS_OPERATOR_VERSION)
// the way the Go operator sets it with ldflags.
import pkg from '../../package.json' with { type: 'json' };

export const version: string = process.env.COSMOS_OPERATOR_VERSION || pkg.version;
