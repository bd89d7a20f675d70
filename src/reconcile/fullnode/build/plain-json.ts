// Builders return plain JSON objects (no undefined fields, no shared references with the spec),
// so a desired object deep-equals its own round trip through the API and never aliases the CR.

export function plainJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
