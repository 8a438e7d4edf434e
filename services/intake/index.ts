import type { ServiceDefinition } from '../../shared/runner/handler';
import { handleSubmitOrder } from './submit-order.handler';

export const intake: ServiceDefinition = {
  name: 'intake',
  consumes: ['orderCommands'],
  handlers: {
    'io.oms.commands.SubmitOrder': handleSubmitOrder,
  },
};
