import type { Config } from '../shared/config';
import { loadPricingRules, PricingRules } from '../shared/pricing';
import { FraudRules, loadFraudRules } from './fraud/rules';
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
  return {
    config,
    pricingRules: loadPricingRules(config.PRICING_RULES_FILE),
    fraudRules: loadFraudRules(config.FRAUD_RULES_FILE),
    paymentGateway: createPaymentGateway(config),
  };
}
