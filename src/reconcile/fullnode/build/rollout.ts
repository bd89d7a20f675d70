// Pod rollout (docs/compatibility.md §2.7, §13.1): how many pods may be taken down at once, and
// which. Pure: the pod control feeds it plain data (pods, revisions, images, CometBFT sync state)
// and carries out the returned plan.
//
// Rules, as upstream:
//   - Scaling first: while a pod must be created or deleted, nothing is updated.
//   - An update is a deletion; the next pass recreates the pod from the new spec.
//   - Readiness is CometBFT's view, not the pod's Ready condition: a pod is in sync when its
//     /status says it is not catching up, reachable when /status answered. Sentries alike.
//   - A pod whose image changes and whose RPC does not answer (typically halted at an upgrade
//     height) is deleted at once, outside the budget: waiting for it to become ready would wait
//     forever.
//   - Image changes on reachable pods go before other updates.
// Difference from upstream: an outdated main pod that is down by both measures (its RPC does not
// answer AND Kubernetes does not call it Ready: crash-looping, Pending, failing its probes) is
// replaced outside the budget for any update, not only an image change. Deleting it takes nothing
// down, and upstream's rule left it stuck: with maxUnavailable 1 and one pod broken by a bad
// config, fixing the config never replaced it (the budget was spent by the broken pod itself).
// Either signal alone is not enough: an RPC that stops answering for a while (load, a network
// policy) must not let a rollout take every Ready pod down at once.
// Difference from upstream: additionalVersionedPods are updated WITHIN the budget. Upstream
// deleted every additional pod needing an update at once (its grouping by instance label never
// matched, §2.8 BUG). Here a main pod and its additional pods (label belongs-to) form one group:
// a group is available only when its main pod is and all its additional pods are Ready, and
// updating any part of a group uses one unit of the budget.
// Difference from upstream: a `held` main pod (its PVC is being deleted by someone, so the data
// goes as soon as the pod stops) is never deleted for an update, not even outside the budget; its
// group stays outdated until a person deletes the pod or the claim is gone.
import { permanent } from '../../../kube/reconcile-result.ts';

export type MaxUnavailable = number | string | null | undefined;

export const DEFAULT_MAX_UNAVAILABLE = '25%';

/**
 * How many more pods may be taken down now (Go kube.ComputeRollout):
 *   unavailable = maxUnavailable as a number, or floor(N% × desired) for "N%" (25% when unset),
 *   at least 1; then none while ready ≤ desired − unavailable, else
 *   min(unavailable − (desired − ready), desired).
 * E.g. maxUnavailable "35%", 9 desired, 7 ready: floor(3.15) = 3 may be down, 2 already are, so 1.
 * A string without "%" made Go panic; here it is a permanent error (admission rejects it anyway).
 */
export function computeRollout(maxUnavailable: MaxUnavailable, desired: number, ready: number): number {
  const unavailable = Math.max(1, scaledMaxUnavailable(maxUnavailable ?? DEFAULT_MAX_UNAVAILABLE, desired));
  if (ready <= desired - unavailable) return 0;
  return Math.min(unavailable - (desired - ready), desired);
}

function scaledMaxUnavailable(value: number | string, desired: number): number {
  if (typeof value === 'number') return Math.trunc(value);
  // Go intstr: the text before "%" through strconv.Atoi (sign allowed), rounded down.
  const match = /^([+-]?[0-9]+)%$/.exec(value);
  if (match === null) {
    throw permanent(
      new Error(`invalid value ${JSON.stringify(value)}: must be an integer or a percentage such as "25%"`),
      {
        field: 'spec.strategy.maxUnavailable',
        reason: 'InvalidMaxUnavailable',
        message: 'invalid rollout strategy',
      },
    );
  }
  return Math.floor((Number(match[1]) * desired) / 100);
}

// ---------------------------------------------------------------------------------------------

/** A pod that exists. */
export interface RolloutPod {
  name: string;
  /** The `app.kubernetes.io/revision` label. */
  revision: string | undefined;
  /** Image of the first container (`node` for main pods). */
  image: string | undefined;
  /** Has a deletionTimestamp. */
  terminating: boolean;
  /**
   * The pod's Ready condition. Additional pods need not serve CometBFT RPC, so their availability
   * is Kubernetes'; for main pods it only confirms that an unreachable pod is really down. No
   * Ready condition (just created, or unschedulable) counts as not ready: otherwise a rollout
   * would take the next group down before it is up.
   */
  ready?: boolean;
}

/** A pod the spec wants, in the order updates should go (by ordinal). */
export interface DesiredPod {
  name: string;
  revision: string;
  image: string | undefined;
  /** For an additional versioned pod: the main pod it belongs to (`cosmos.strange.love/belongs-to`). */
  belongsTo?: string;
}

/** CometBFT's view of a main pod, from the status cache. */
export interface PodSyncState {
  /** /status answered. */
  reachable: boolean;
  /** /status said catching_up=false. Ignored when not reachable (a stale answer). */
  inSync?: boolean;
}

export interface RolloutInput {
  current: readonly RolloutPod[];
  desired: readonly DesiredPod[];
  /** By pod name; a missing entry means unreachable. */
  sync: Readonly<Record<string, PodSyncState | undefined>>;
  maxUnavailable: MaxUnavailable;
  /** spec.replicas: the "desired" of computeRollout. */
  replicas: number;
  /** Main pods that must not be deleted for an update (their groups wait). */
  held?: ReadonlySet<string>;
}

/** Why a pod is deleted. */
export type RolloutReason = 'scale-down' | 'upgrade-unreachable' | 'replace-down' | 'update';

/** The `status.sync[pod].error` upstream recorded for pods deleted by a rollout. */
export const ROLLOUT_SYNC_ERRORS: Readonly<Record<Exclude<RolloutReason, 'scale-down'>, string>> = {
  'upgrade-unreachable': 'version upgrade in progress',
  'replace-down': 'update in progress',
  update: 'update in progress',
};

export interface RolloutPlan {
  /** Desired pods that do not exist. */
  create: string[];
  /** Pods to delete, in order. */
  delete: string[];
  /** Another pass is needed soon: scaling happened, or updates remain. */
  requeue: boolean;
  reasons: Record<string, RolloutReason>;
}

/**
 * The next step of a rollout. Pass 1 creates and deletes to match the desired set (and nothing
 * else); later passes delete pods whose revision changed, at most computeRollout(...) groups at a
 * time counting pods already down, unreachable image changes first and outside the budget.
 * `requeue` is false only when nothing is left to do: no updates pending and no pod terminating.
 */
export function planRollout(input: RolloutInput): RolloutPlan {
  const currentByName = new Map(input.current.map((pod) => [pod.name, pod]));
  const desiredNames = new Set(input.desired.map((pod) => pod.name));

  const create = input.desired.filter((pod) => !currentByName.has(pod.name)).map((pod) => pod.name);
  const scaleDown = input.current.filter((pod) => !desiredNames.has(pod.name)).map((pod) => pod.name);
  if (create.length > 0 || scaleDown.length > 0) {
    const reasons: Record<string, RolloutReason> = {};
    for (const name of scaleDown) reasons[name] = 'scale-down';
    return { create, delete: scaleDown, requeue: true, reasons };
  }

  const groups = groupsOf(input, currentByName);
  const isInSync = (group: Group) =>
    group.mainPod !== undefined && group.mainAvailable && group.restAvailable && inSync(input.sync[group.mainPod.name]);
  const isReachable = (group: Group) =>
    group.mainPod !== undefined && group.mainAvailable && group.restAvailable &&
    reachable(input.sync[group.mainPod.name]);
  const inSyncCount = groups.filter(isInSync).length;
  const ready = inSyncCount > 0 ? inSyncCount : groups.filter(isReachable).length;

  // A terminating pod comes back from the next pass's create; look again soon rather than
  // trusting the delete event alone.
  const plan: RolloutPlan = {
    create: [],
    delete: [],
    requeue: input.current.some((pod) => pod.terminating),
    reasons: {},
  };
  const take = (pods: readonly string[], reason: RolloutReason) => {
    for (const name of pods) {
      plan.delete.push(name);
      plan.reasons[name] = reason;
    }
  };

  const mismatched: Group[] = [];
  const others: Group[] = [];
  let total = 0;
  let updated = 0;
  for (const group of groups) {
    if (group.outdated.length === 0) continue;
    total++;
    const main = group.mainPod;
    if (main !== undefined && input.held?.has(main.name)) continue;
    const mainOutdated = main !== undefined && group.outdated.includes(main.name);
    const imageChanged = mainOutdated && main.image !== group.mainWant!.image;
    if (imageChanged && !reachable(input.sync[main.name])) {
      take(group.outdated, 'upgrade-unreachable');
      updated++;
    } else if (mainOutdated && !reachable(input.sync[main.name]) && main.ready !== true) {
      take(group.outdated, 'replace-down');
      updated++;
    } else if (imageChanged) mismatched.push(group);
    else others.push(group);
  }
  if (updated === total) return plan;

  const budget = computeRollout(input.maxUnavailable, input.replicas, ready);
  for (const group of [...mismatched, ...others]) {
    if (updated >= budget) break;
    take(group.outdated, 'update');
    updated++;
  }
  plan.requeue ||= updated < total;
  return plan;
}

// A main pod and its additional pods, or an additional pod whose main pod is not wanted.
interface Group {
  mainPod: RolloutPod | undefined;
  mainWant: DesiredPod | undefined;
  /** The main pod exists and is not terminating. */
  mainAvailable: boolean;
  /** Every additional pod exists, is not terminating and is Ready. */
  restAvailable: boolean;
  /** Pods of the group, main first, that are not terminating and whose revision differs. */
  outdated: string[];
}

function groupsOf(input: RolloutInput, currentByName: ReadonlyMap<string, RolloutPod>): Group[] {
  const mainNames = new Set(input.desired.filter((pod) => pod.belongsTo === undefined).map((pod) => pod.name));
  const byKey = new Map<string, { main?: DesiredPod; rest: DesiredPod[] }>();
  for (const pod of input.desired) {
    const key = pod.belongsTo !== undefined && mainNames.has(pod.belongsTo) ? pod.belongsTo : pod.name;
    const entry = byKey.get(key) ?? { rest: [] };
    if (pod.belongsTo === undefined) entry.main = pod;
    else entry.rest.push(pod);
    byKey.set(key, entry);
  }

  const groups: Group[] = [];
  for (const { main, rest } of byKey.values()) {
    const mainPod = main === undefined ? undefined : currentByName.get(main.name);
    const members = main === undefined ? rest : [main, ...rest];
    const outdated = members
      .filter((want) => {
        const pod = currentByName.get(want.name);
        return pod !== undefined && !pod.terminating && pod.revision !== want.revision;
      })
      .map((want) => want.name);
    const restAvailable = rest.every((want) => {
      const pod = currentByName.get(want.name);
      return pod !== undefined && !pod.terminating && pod.ready === true;
    });
    groups.push({
      mainPod,
      mainWant: main,
      mainAvailable: mainPod !== undefined && !mainPod.terminating,
      restAvailable,
      outdated,
    });
  }
  return groups;
}

function reachable(state: PodSyncState | undefined): boolean {
  return state?.reachable === true;
}

function inSync(state: PodSyncState | undefined): boolean {
  return state?.reachable === true && state.inSync === true;
}
