import type { Knex } from 'knex';
import * as platform from './migrations/001_platform';
import * as saga from './migrations/002_saga';
import * as supportView from './migrations/003_support_view';
import * as serviceRoles from './migrations/004_service_roles';
import * as previousState from './migrations/005_previous_state';
import * as outboxChunks from './migrations/006_outbox_chunks';
import * as inboxRetention from './migrations/007_inbox_retention';
import * as heldReservations from './migrations/008_held_reservations';
import * as fraudVelocityRetention from './migrations/009_fraud_velocity_retention';
import * as outboxLz4 from './migrations/010_outbox_lz4';
import * as consolidatedShipments from './migrations/011_consolidated_shipments';
import * as paymentForLine from './migrations/012_payment_for_line';
import * as fraudLineChecks from './migrations/013_fraud_line_checks';
import * as notificationAbout from './migrations/014_notification_about';
import * as lineOrderTotal from './migrations/015_line_order_total';
import * as lineRefusedProblems from './migrations/016_line_refused_problems';
import * as notificationWithheld from './migrations/017_notification_withheld';

interface Migration {
  name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/**
 * Migrations are listed here rather than discovered on disk, so they run the same from
 * TypeScript sources and compiled output. Each service adds its own tables in its own file.
 */
export const MIGRATIONS: Migration[] = [
  { name: '001_platform', ...platform },
  { name: '002_saga', ...saga },
  { name: '003_support_view', ...supportView },
  { name: '004_service_roles', ...serviceRoles },
  { name: '005_previous_state', ...previousState },
  { name: '006_outbox_chunks', ...outboxChunks },
  { name: '007_inbox_retention', ...inboxRetention },
  { name: '008_held_reservations', ...heldReservations },
  { name: '009_fraud_velocity_retention', ...fraudVelocityRetention },
  { name: '010_outbox_lz4', ...outboxLz4 },
  { name: '011_consolidated_shipments', ...consolidatedShipments },
  { name: '012_payment_for_line', ...paymentForLine },
  { name: '013_fraud_line_checks', ...fraudLineChecks },
  { name: '014_notification_about', ...notificationAbout },
  { name: '015_line_order_total', ...lineOrderTotal },
  { name: '016_line_refused_problems', ...lineRefusedProblems },
  { name: '017_notification_withheld', ...notificationWithheld },
];

export const migrationSource: Knex.MigrationSource<Migration> = {
  getMigrations: async () => MIGRATIONS,
  getMigrationName: (m) => m.name,
  getMigration: async (m) => m,
};
