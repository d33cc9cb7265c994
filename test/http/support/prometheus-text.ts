/** Sample values of a metric in Prometheus text, keyed by their label set (`''` without labels). */
export function metricSamples(text: string, name: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (match && match[1] === name) samples.set(match[2] ?? '', Number(match[3]));
  }
  return samples;
}
