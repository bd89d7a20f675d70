// kwok's configuration: the Stage definitions that make fake Nodes Ready and fake Pods Running,
// copied verbatim from the kwok module (kustomize/stage/...) of the version build.sh builds.
// kwok refuses to start without stages ("no stages found").
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { goModuleDir, pinnedVersion } from './go-modules.ts';

// What each stage does (read in the v0.8.0 files):
//  node-initialize            Node Ready≠True → Ready conditions, addresses, allocatable, phase Running
//  node-heartbeat-with-lease  refreshes Node conditions every 10-20 min; liveness is the Lease kwok
//                             renews (--node-lease-duration-seconds), as kubelets do
//  pod-ready                  bound Pod, Pending, not deleting → Running, Ready, podIP from --cidr
//  pod-complete               Running Pod owned by a Job → Succeeded
//  pod-delete                 Pod with deletionTimestamp → deleted (the kubelet's final confirm);
//                             without it a deleted Pod stays Terminating forever
export const KWOK_STAGES = [
  'node/fast/node-initialize.yaml',
  'node/heartbeat-with-lease/node-heartbeat-with-lease.yaml',
  'pod/fast/pod-ready.yaml',
  'pod/fast/pod-complete.yaml',
  'pod/fast/pod-delete.yaml',
] as const;

/**
 * Writes `<workDir>/kwok.yaml` with the stages. kwok always loads `<KWOK_WORKDIR>/kwok.yaml`
 * (pkg/config/flags.go loadConfig, default `~/.kwok`), so the harness sets KWOK_WORKDIR to a
 * directory of its own and writes the config exactly there: nothing from `~/.kwok` leaks in.
 */
export async function writeKwokConfig(workDir: string): Promise<string> {
  const version = await pinnedVersion('KWOK_VERSION');
  const root = await goModuleDir('sigs.k8s.io/kwok', version);
  const docs = await Promise.all(
    KWOK_STAGES.map(async (rel) => {
      const file = path.join(root, 'kustomize/stage', rel);
      return `# from sigs.k8s.io/kwok@${version} kustomize/stage/${rel}\n${(await readFile(file, 'utf8')).trim()}\n`;
    }),
  );
  const file = path.join(workDir, 'kwok.yaml');
  await writeFile(file, docs.join('---\n'));
  return file;
}
