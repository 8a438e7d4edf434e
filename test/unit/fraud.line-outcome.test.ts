import { lineOutcome, STORED_DECISION } from '../../services/fraud/line-checks';

describe('what an added line\'s fraud assessment means for the line', () => {
  it.each([
    ['passed', 'Processing', false, 'passed', 'passed'],
    ['passed', 'On_Hold', false, 'passed', 'passed'],
    ['failed', 'Processing', true, 'failed', 'failed'],
    ['failed', 'On_Hold', false, 'failed', 'failed'],
    ['review', 'Processing', false, 'refused_for_review', 'review'],
    ['review', 'On_Hold', false, 'waits_for_release', 'review'],
    ['review', 'Processing', true, 'released', 'released'],
  ] as const)('when the line scores %s on an order %s (released by an operator: %s), then it is %s, stored as %s', (decision, state, released, outcome, stored) => {
    expect(lineOutcome(decision, { state, released })).toBe(outcome);
    expect(STORED_DECISION[lineOutcome(decision, { state, released })]).toBe(stored);
  });
});
