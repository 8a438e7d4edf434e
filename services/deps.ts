import type { Config } from '../shared/config';
import { loadPricingRules, pricedCurrencies, PricingRules } from '../shared/pricing';
import { checkFraudCoversCurrencies, FraudRules, loadFraudRules } from './fraud/rules';
import { createPaymentGateway } from './payment/gateway';
import type { PaymentGateway } from './payment/gateway';

/** What the services need beyond the platform: rules files and the payment gateway. */
export interface ServiceDeps {
  config: Config;
  pricingRules: PricingRules;
  fraudRules: FraudRules;
  paymentGateway: PaymentGateway;
}

export function loadServiceDeps(config: Config): ServiceDeps {
  const pricingRules = loadPricingRules(config.PRICING_RULES_FILE);
  const fraudRules = loadFraudRules(config.FRAUD_RULES_FILE);
  checkFraudCoversCurrencies(fraudRules, pricedCurrencies(pricingRules), config.FRAUD_RULES_FILE);
  return { config, pricingRules, fraudRules, paymentGateway: createPaymentGateway(config) };
}
