// The list and watch requests of the watcher loop, over client-node: paginated lists through
// rest.ts, and streams through client-node's Watch (which brings auth, TLS and its 30 s
// inactivity abort). Only this file knows how client-node reports a watch's end.

import { Watch } from '@kubernetes/client-node';
import { listAll, objectClient } from './objects.ts';
import { resourcePath, type KubeObject, type ResourceType } from './resource.ts';
import type { RestClient } from './rest.ts';
import type { ListWatchSource, WatchEnd, WatchEventType } from './watcher.ts';

export type Selection = {
  /** Only this namespace; all namespaces when omitted. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
};

export function createListWatchSource<T extends KubeObject>(
  rest: RestClient,
  type: ResourceType,
  selection: Selection = {},
  pageSize = 500,
): ListWatchSource<T> {
  const objects = objectClient<T>(rest, type);
  const watch = new Watch(rest.kubeConfig);
  const path = resourcePath(type, selection.namespace);

  return {
    list: (signal) =>
      listAll(objects, selection.namespace, {
        labelSelector: selection.labelSelector,
        fieldSelector: selection.fieldSelector,
        pageSize,
        signal,
      }),

    watch(resourceVersion, timeoutSeconds, onEvent, signal) {
      return new Promise<WatchEnd>((resolve) => {
        let finished = false;
        let stream: AbortController | undefined;
        const finish = (end: WatchEnd) => {
          if (finished) return;
          finished = true;
          signal.removeEventListener('abort', onAbort);
          stream?.abort();
          resolve(end);
        };
        const onAbort = () => finish({ kind: 'closed' });
        if (signal.aborted) return finish({ kind: 'closed' });
        signal.addEventListener('abort', onAbort, { once: true });

        const query = {
          resourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds,
          labelSelector: selection.labelSelector,
          fieldSelector: selection.fieldSelector,
        };
        watch
          .watch(
            path,
            query,
            (type: string, obj: unknown) => {
              if (!finished) onEvent(type as WatchEventType, obj);
            },
            // client-node calls this once: null for a clean end, an Error (with statusCode for a
            // non-200 answer, or a TimeoutError after 30 s without data) otherwise.
            (err: unknown) => finish(err ? { kind: 'error', error: err } : { kind: 'closed' }),
          )
          .then((controller) => {
            stream = controller;
            // Stopped while the request was still connecting: close the stream now.
            if (finished) controller.abort();
          })
          .catch((error: unknown) => finish({ kind: 'error', error }));
      });
    },
  };
}
