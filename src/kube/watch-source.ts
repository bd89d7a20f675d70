// The list and watch requests of the watcher loop: paginated lists, and watch streams with
// bookmarks, both through rest.ts. The API server sends a bookmark every minute on a quiet
// watch, so a stream that stays silent for 90 s is taken as dead (a half-open connection)
// and ended with a TimeoutError, which the loop treats as a routine reconnect.

import { listAll, objectClient } from './objects.ts';
import { type KubeObject, resourcePath, type ResourceType } from './resource.ts';
import type { RestClient } from './rest.ts';
import type { ListWatchSource, WatchEventType } from './watcher.ts';

export type Selection = {
  /** Only this namespace; all namespaces when omitted. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
};

export const watchIdleTimeoutMs = 90_000;

export function createListWatchSource<T extends KubeObject>(
  rest: RestClient,
  type: ResourceType,
  selection: Selection = {},
  opts: { pageSize?: number; idleTimeoutMs?: number } = {},
): ListWatchSource<T> {
  const objects = objectClient<T>(rest, type);
  const path = resourcePath(type, selection.namespace);

  return {
    list: (signal) =>
      listAll(objects, selection.namespace, {
        labelSelector: selection.labelSelector,
        fieldSelector: selection.fieldSelector,
        pageSize: opts.pageSize ?? 500,
        signal,
      }),

    async watch(resourceVersion, timeoutSeconds, onEvent, signal) {
      let malformed: unknown;
      const stop = new AbortController();
      const end = await rest.stream({
        path,
        query: {
          watch: true,
          resourceVersion,
          allowWatchBookmarks: true,
          timeoutSeconds,
          labelSelector: selection.labelSelector,
          fieldSelector: selection.fieldSelector,
        },
        signal: AbortSignal.any([signal, stop.signal]),
        idleTimeoutMs: opts.idleTimeoutMs ?? watchIdleTimeoutMs,
        onLine(line) {
          if (malformed !== undefined) return;
          let event: { type?: string; object?: unknown };
          try {
            event = JSON.parse(line);
          } catch (err) {
            malformed = new Error(`watch ${path}: unparseable line (${(err as Error).message})`);
            stop.abort();
            return;
          }
          onEvent(event.type as WatchEventType, event.object);
        },
      });
      // A stream we could not parse is not trusted further: the loop treats it as a failure.
      return malformed !== undefined ? { kind: 'error', error: malformed } : end;
    },
  };
}
