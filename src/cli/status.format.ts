import type { RequestStatusView } from '../requests/request.service';

/** Human-readable status of one request and its components, for `dorc-monitor status`. */
export function formatStatus(view: RequestStatusView): string {
  const r = view.request;
  const lines = [
    `Request ${r.id}: ${r.status}`,
    `  Project ${r.project ?? '-'}, environment ${r.environment ?? '-'}, build ${r.buildNumber ?? '-'}`,
    `  Requested ${iso(r.requestedTime)}, started ${iso(r.startedTime)}, completed ${iso(r.completedTime)}`,
  ];
  if (r.ownerId) lines.push(`  Owner ${r.ownerId} (epoch ${r.epoch ?? '-'}, attempt ${r.attempt})`);
  if (r.log) lines.push('  Log:', ...r.log.split('\n').map((l) => `    ${l}`));
  lines.push(view.results.length ? '  Components:' : '  No component results yet.');
  for (const res of view.results) {
    lines.push(`    ${res.componentName ?? `#${res.componentId}`}: ${res.status}`);
  }
  return lines.join('\n');
}

function iso(value: Date | null): string {
  return value ? new Date(value).toISOString() : '-';
}
