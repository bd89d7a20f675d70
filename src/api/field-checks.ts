// Semantic checks the Go operator only ran into at reconcile time (docs/validation.md, "runtime"
// rows; docs/compatibility.md §9), moved to admission. Each is a pure FieldCheck used by the
// schemas in this folder.
import { parse as parseToml, TomlError } from 'smol-toml';
import { parseSchedule } from '../syntax/cron.ts';
import { parseGoDuration } from '../syntax/go-duration.ts';
import { compareQuantities, parseQuantity } from '../syntax/quantity.ts';
import type { FieldCheck, FieldProblem } from './schema-kit.ts';
import { dns1123SubdomainErrors, labelValueErrors } from './core-checks.ts';
import { imageVersion, VERSION_LABEL } from './naming.ts';

/** chain.config.overrides / chain.app.overrides: merged into config.toml / app.toml (§2.5). */
export const validToml: FieldCheck<string> = (text) => {
  try {
    parseToml(text);
    return undefined;
  } catch (error) {
    if (error instanceof TomlError) {
      const reason = error.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '');
      return { detail: `must be valid TOML: ${reason} at line ${error.line}, column ${error.column}` };
    }
    return { detail: `must be valid TOML: ${String(error)}` };
  }
};

/**
 * strategy.maxUnavailable: an integer or "N%" (§2.7); a string without "%" made the Go operator
 * panic. Not negative, as the API server says of a Deployment's (the Go operator took a negative
 * number as 1; objects it stored keep working and stay editable through ratcheting).
 */
export const integerOrPercent: FieldCheck<number | string> = (value) => {
  if (typeof value === 'number') return value < 0 ? { detail: 'must be greater than or equal to 0' } : undefined;
  if (/^[0-9]+%$/.test(value)) return undefined;
  if (/^-[0-9]+%$/.test(value)) return { detail: 'must be greater than or equal to 0' };
  return { detail: 'must be an integer or a percentage such as "25%"' };
};

/** selfHeal.pvcAutoScale.increaseQuantity: "N%" with an integer N, or a quantity (§6). */
export const increaseQuantity: FieldCheck<string> = (value) => {
  if (value.endsWith('%')) {
    return /^[0-9]+%$/.test(value)
      ? undefined
      : { detail: 'must be a whole-number percentage such as "20%" or a quantity such as "100Gi"' };
  }
  const parsed = parseQuantity(value);
  return parsed.ok
    ? undefined
    : { detail: `must be a percentage such as "20%" or a quantity such as "100Gi": ${parsed.message}` };
};

/** ScheduledVolumeSnapshot spec.schedule: what robfig cron.ParseStandard accepts (§7). */
export const cronSchedule: FieldCheck<string> = (value) => {
  const parsed = parseSchedule(value);
  return parsed.ok ? undefined : { detail: `must be a valid cron schedule: ${parsed.message}` };
};

/** StatefulJob spec.interval: a Go duration, as metav1.Duration unmarshals it (§8). */
export const goDuration: FieldCheck<string> = (value) => {
  const parsed = parseGoDuration(value);
  return parsed.ok ? undefined : { detail: `must be a duration such as "24h" or "1h30m": ${parsed.message}` };
};

export const SNAPSHOT_API_GROUP = 'snapshot.storage.k8s.io';

/** volumeClaimTemplate.dataSource: the PVC builder understands a VolumeSnapshot or a PVC only (§2.10). */
export const supportedDataSource: FieldCheck<{ apiGroup?: string | null; kind: string }> = (ref) => {
  const apiGroup = ref.apiGroup ?? '';
  if (ref.kind === 'VolumeSnapshot') {
    if (apiGroup === SNAPSHOT_API_GROUP) return undefined;
    return {
      type: 'FieldValueNotSupported',
      path: ['apiGroup'],
      value: apiGroup,
      detail: `supported values: "${SNAPSHOT_API_GROUP}"`,
    };
  }
  if (ref.kind === 'PersistentVolumeClaim') {
    if (apiGroup === '') return undefined;
    return { type: 'FieldValueNotSupported', path: ['apiGroup'], value: apiGroup, detail: 'supported values: ""' };
  }
  return {
    type: 'FieldValueNotSupported',
    path: ['kind'],
    value: ref.kind,
    detail: 'supported values: "PersistentVolumeClaim", "VolumeSnapshot"',
  };
};

/** chain.versions: heights strictly ascending, so "the last version at or below h" is well defined (§2.9). */
export const ascendingVersions: FieldCheck<readonly { height: number }[]> = (versions) => {
  const problems: FieldProblem[] = [];
  for (let i = 1; i < versions.length; i++) {
    const previous = versions[i - 1]!.height;
    const height = versions[i]!.height;
    if (height === previous) {
      problems.push({ type: 'FieldValueDuplicate', path: [i, 'height'], value: height, detail: '' });
    } else if (height < previous) {
      problems.push({
        path: [i, 'height'],
        value: height,
        detail:
          `must be greater than the previous version's height (${previous}): versions must be in ascending height order`,
      });
    }
  }
  return problems;
};

/** A PVC template needs resources.requests.storage; the API server refuses the PVC without it. */
export const storageRequested: FieldCheck<{ resources: { requests?: Record<string, unknown> | null } }> = (spec) => {
  const storage = spec.resources.requests?.['storage'];
  if (storage === undefined || storage === null) {
    return { type: 'FieldValueRequired', path: ['resources', 'requests', 'storage'], detail: '' };
  }
  return undefined;
};

// spec.chain.chainID, .binary and .homeDir reach the chain's command lines and paths. The pod
// builders pass them as single arguments, never as shell text; these rules keep them to what
// CometBFT and a path inside the pod can use, so a typo or a pasted command is refused at apply.

/** CometBFT's MaxChainIDLen. */
export const MAX_CHAIN_ID_LENGTH = 50;

/** spec.chain.chainID: letters, digits, ".", "_" and "-", at most 50 characters. */
export const chainId: FieldCheck<string> = (value) => {
  if (value === '') return undefined; // minLength reports it as required
  if (/^[A-Za-z0-9._-]+$/.test(value) && value.length <= MAX_CHAIN_ID_LENGTH) return undefined;
  return {
    detail: `must be a chain ID of at most ${MAX_CHAIN_ID_LENGTH} characters: letters, digits, '.', '_' and '-' only`,
  };
};

const PATH_CHARACTERS = /^[A-Za-z0-9._+/-]+$/;
const PATH_CHARACTERS_TEXT = "letters, digits, '.', '_', '-', '+' and '/' only (no whitespace or shell metacharacters)";

/** spec.chain.binary: a program name or path, one word. */
export const programName: FieldCheck<string> = (value) => {
  if (value === '') return undefined; // minLength reports it as required
  if (PATH_CHARACTERS.test(value) && !value.startsWith('-')) return undefined;
  return { detail: `must be a program name or path: ${PATH_CHARACTERS_TEXT}, not starting with '-'` };
};

/** spec.chain.homeDir: a directory below /home/operator, which ".." could leave. */
export const homeDirectory: FieldCheck<string> = (value) => {
  if (value === '') return undefined; // the default, "cosmos"
  const segments = value.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (PATH_CHARACTERS.test(value) && segments.length > 0 && !segments.includes('..')) return undefined;
  return {
    detail: `must be a directory below /home/operator: ${PATH_CHARACTERS_TEXT}, without ".." segments`,
  };
};

/**
 * The chain image (podTemplate.image, chain.versions[].image, instanceOverrides[].image): the API
 * server refuses a pod image with surrounding whitespace, and the tag becomes the
 * app.kubernetes.io/version label of the children, so it must make a label value.
 */
export const chainImage: FieldCheck<string> = (image) => {
  const problems: FieldProblem[] = [];
  if (image !== image.trim()) problems.push({ detail: 'must not have leading or trailing whitespace' });
  const version = imageVersion(image);
  const errors = labelValueErrors(version);
  if (errors.length > 0) {
    problems.push({
      detail: `its tag ${JSON.stringify(version)} becomes the ${VERSION_LABEL} label of the pods, PVCs and Services: ${
        errors.join('; ')
      }`,
    });
  }
  return problems;
};

const READ_WRITE_ONCE_POD = 'ReadWriteOncePod';

interface PvcSpecLike {
  storageClassName?: string | null;
  accessModes?: readonly string[] | null;
  resources?: { requests?: Record<string, unknown> | null } | null;
  dataSource?: { name?: string | null } | null;
}

/** What ValidatePersistentVolumeClaimSpec says of the PVCs the operator builds from a template. */
export const validPvcSpec: FieldCheck<PvcSpecLike> = (spec) => {
  const problems: FieldProblem[] = [];
  const className = spec.storageClassName ?? '';
  if (className !== '') {
    for (const detail of dns1123SubdomainErrors(className)) {
      problems.push({ path: ['storageClassName'], value: className, detail });
    }
  }
  const modes = spec.accessModes ?? [];
  if (modes.includes(READ_WRITE_ONCE_POD) && modes.some((mode) => mode !== READ_WRITE_ONCE_POD)) {
    problems.push({
      type: 'FieldValueForbidden',
      path: ['accessModes'],
      detail: 'may not use ReadWriteOncePod with other access modes',
    });
  }
  const storage = spec.resources?.requests?.['storage'];
  if (typeof storage === 'string' || typeof storage === 'number') {
    const parsed = parseQuantity(String(storage));
    if (parsed.ok && compareQuantities(parsed.quantity, { nanos: 0n, format: 'DecimalSI' }) <= 0) {
      problems.push({
        path: ['resources', 'requests', 'storage'],
        value: storage,
        detail: 'must be greater than zero',
      });
    }
  }
  const source = spec.dataSource;
  if (source !== null && source !== undefined && (source.name ?? '') === '') {
    problems.push({ type: 'FieldValueRequired', path: ['dataSource', 'name'], detail: '' });
  }
  return problems;
};
