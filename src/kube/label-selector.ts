// Label selectors for cache reads, with the API server's string syntax
// (apimachinery labels.Parse): `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`,
// joined by commas; or a plain map meaning every label equals. A cache list must select exactly
// what the same selector would select on the server.

export type Requirement =
  | { key: string; op: 'in'; values: string[] }
  | { key: string; op: 'notin'; values: string[] }
  | { key: string; op: 'exists' }
  | { key: string; op: 'doesnotexist' };

export type LabelSelector = Requirement[];

export type SelectorInput = string | Record<string, string> | LabelSelector;

export function parseLabelSelector(input: SelectorInput): LabelSelector {
  if (Array.isArray(input)) return input;
  if (typeof input !== 'string') {
    return Object.entries(input).map(([key, value]) => ({ key, op: 'in', values: [value] }));
  }
  const out: LabelSelector = [];
  for (const part of splitTopLevel(input)) {
    const term = part.trim();
    if (term === '') continue;
    out.push(parseRequirement(term));
  }
  return out;
}

export function matchesLabels(selector: LabelSelector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return selector.every((r) => {
    const has = Object.hasOwn(l, r.key);
    switch (r.op) {
      case 'exists':
        return has;
      case 'doesnotexist':
        return !has;
      case 'in':
        return has && r.values.includes(l[r.key]!);
      case 'notin':
        // As on the server: a missing label is "not in" any set.
        return !has || !r.values.includes(l[r.key]!);
    }
  });
}

/** Splits on commas that are not inside `( … )`. */
function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}

function parseRequirement(term: string): Requirement {
  let m = /^!\s*([^\s!=,()]+)$/.exec(term);
  if (m) return { key: m[1]!, op: 'doesnotexist' };
  m = /^([^\s!=,()]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
  if (m) {
    const values = m[3]!.split(',').map((v) => v.trim());
    return { key: m[1]!, op: m[2] as 'in' | 'notin', values };
  }
  m = /^([^\s!=,()]+)\s*(==|=|!=)\s*([^\s!=,()]*)$/.exec(term);
  if (m) {
    return m[2] === '!=' ? { key: m[1]!, op: 'notin', values: [m[3]!] } : { key: m[1]!, op: 'in', values: [m[3]!] };
  }
  m = /^([^\s!=,()]+)$/.exec(term);
  if (m) return { key: m[1]!, op: 'exists' };
  throw new Error(`invalid label selector term: ${JSON.stringify(term)}`);
}
