import { allowedFrom, canTransition, isTerminal, ORDER_STATES, TRANSITIONS } from '../../shared/order-state';

describe('the OrderState transition table', () => {
  it('follows the happy path Pending → Processing → Awaiting_Shipment → Shipped → Delivered', () => {
    const path = ['Pending', 'Processing', 'Awaiting_Shipment', 'Shipped', 'Delivered'] as const;
    for (let i = 1; i < path.length; i++) expect(canTransition(path[i - 1]!, path[i]!)).toBe(true);
  });

  it('accepts cancellation until Shipped and never after', () => {
    expect(ORDER_STATES.filter((s) => canTransition(s, 'Cancelled')).sort()).toEqual(['Awaiting_Shipment', 'On_Hold', 'Pending', 'Processing']);
    expect(canTransition('Shipped', 'Cancelled')).toBe(false);
  });

  it('holds only for fraud review, before any stock is touched, and releases to Processing', () => {
    expect(allowedFrom('On_Hold')).toEqual(['Pending']);
    expect(TRANSITIONS.On_Hold).toEqual(['Processing', 'Cancelled']);
  });

  it('has Delivered, Cancelled and Rejected as terminal states and no way back into Pending or Rejected', () => {
    expect(ORDER_STATES.filter(isTerminal).sort()).toEqual(['Cancelled', 'Delivered', 'Rejected']);
    expect(allowedFrom('Pending')).toEqual([]);
    expect(allowedFrom('Rejected')).toEqual([]);
  });
});
