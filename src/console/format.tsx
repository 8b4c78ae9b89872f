import type { RunStatus } from '../runs/run-record.js';

export const FINAL: readonly string[] = ['rejected', 'succeeded', 'failed', 'cancelled', 'not_promoted'];

export function isFinalStatus(status: string | undefined): boolean {
  return status !== undefined && FINAL.includes(status);
}

export function when(iso: string | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

export function duration(from: string | undefined, to: string | undefined): string {
  if (!from) return '';
  const ms = (to ? Date.parse(to) : Date.now()) - Date.parse(from);
  if (!Number.isFinite(ms) || ms < 0) return '';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function number(n: number | undefined, digits = 0): string {
  return n === undefined || n === null ? '–' : n.toLocaleString(undefined, { maximumFractionDigits: digits });
}

export function StatusBadge({ status }: { status: RunStatus | string }) {
  return <span class={`badge status-${status}`}>{status.replace('_', ' ')}</span>;
}
