import { extend } from '../../shared/extend';

/**
 * Pure reservation planning: given what an order needs and the stock rows (locked by the caller),
 * either every SKU is covered — lines sharing a SKU summed first, taken from the locations with the
 * most available — or nothing is, with the reason per SKU. Never plans below zero.
 */
export interface StockRow {
  sku: string;
  location: string;
  on_hand: number;
  reserved: number;
}
export interface Demand {
  sku: string;
  quantity: number;
}
export interface PlannedTake {
  sku: string;
  location: string;
  quantity: number;
}
export interface Shortage {
  sku: string;
  requested: number;
  available: number;
  reason: 'unknown_sku' | 'insufficient_stock';
}

export function sumBySku(lines: Demand[]): Demand[] {
  const totals = new Map<string, number>();
  for (const l of lines) totals.set(l.sku, (totals.get(l.sku) ?? 0) + l.quantity);
  return [...totals].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([sku, quantity]) => ({ sku, quantity }));
}

export function planReservation(lines: Demand[], stock: StockRow[]): { ok: true; takes: PlannedTake[] } | { ok: false; shortages: Shortage[] } {
  const takes: PlannedTake[] = [];
  const shortages: Shortage[] = [];
  for (const { sku, quantity } of sumBySku(lines)) {
    const rows = stock.filter((s) => s.sku === sku).map((s) => extend(s, { available: Math.max(0, s.on_hand - s.reserved) }));
    const available = rows.reduce((n, r) => n + r.available, 0);
    if (rows.length === 0) shortages.push({ sku, requested: quantity, available: 0, reason: 'unknown_sku' });
    else if (available < quantity) shortages.push({ sku, requested: quantity, available, reason: 'insufficient_stock' });
    else {
      let left = quantity;
      for (const r of rows.sort((a, b) => b.available - a.available || (a.location < b.location ? -1 : 1))) {
        const take = Math.min(left, r.available);
        if (take > 0) takes.push({ sku, location: r.location, quantity: take });
        left -= take;
        if (left === 0) break;
      }
    }
  }
  return shortages.length ? { ok: false, shortages } : { ok: true, takes };
}
