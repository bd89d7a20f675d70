// CRDs of other projects that the operator talks to, taken from their Go modules' zips.
import path from 'node:path';
import { filesIn, goModuleDir } from './go-modules.ts';

export type ThirdPartyCRDSet = 'volumesnapshot' | 'cert-manager' | 'servicemonitor';

type Source = { module: string; version: string; dir: string; keep: (file: string) => boolean };

// Versions: the newest each project publishes whose go.mod asks for at most Go 1.26 (checked
// 2026-11-26); only downloading matters here, nothing is compiled.
const SOURCES: Record<ThirdPartyCRDSet, Source> = {
  // VolumeSnapshot, VolumeSnapshotContent, VolumeSnapshotClass (not the group-snapshot kinds).
  volumesnapshot: {
    module: 'github.com/kubernetes-csi/external-snapshotter/client/v8',
    version: 'v8.7.0',
    dir: 'config/crd',
    keep: (f) => f.startsWith('snapshot.storage.k8s.io_') && f.endsWith('.yaml'),
  },
  // Certificate, CertificateRequest, Issuer, ClusterIssuer, Order, Challenge.
  'cert-manager': {
    module: 'github.com/cert-manager/cert-manager',
    version: 'v1.21.2',
    dir: 'deploy/crds',
    keep: (f) => f.endsWith('.yaml'),
  },
  servicemonitor: {
    module: 'github.com/prometheus-operator/prometheus-operator',
    version: 'v0.93.0',
    dir: 'example/prometheus-operator-crd',
    keep: (f) => f === 'monitoring.coreos.com_servicemonitors.yaml',
  },
};

/** Paths of the CRD files of the named sets, downloading their modules into the Go module cache. */
export async function thirdPartyCRDs(names: readonly ThirdPartyCRDSet[]): Promise<string[]> {
  const lists = await Promise.all(
    names.map(async (name) => {
      const src = SOURCES[name];
      if (!src) {
        throw new Error(
          `unknown third-party CRD set ${JSON.stringify(name)}; known: ${Object.keys(SOURCES).join(', ')}`,
        );
      }
      const root = await goModuleDir(src.module, src.version);
      const files = await filesIn(path.join(root, src.dir), src.keep);
      if (files.length === 0) throw new Error(`no CRD files in ${src.module}@${src.version}/${src.dir}`);
      return files;
    }),
  );
  return lists.flat();
}
