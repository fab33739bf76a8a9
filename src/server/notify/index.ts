export { startNotifier, type Notifier, type NotifierOptions } from './notifier.js';
export {
  signBody,
  verifySignature,
  SIGNATURE_HEADER,
  DELIVERY_HEADER,
  EVENT_HEADER,
  EVENT_ID_HEADER,
  TIMESTAMP_HEADER,
} from './signature.js';
export { webhookRoutes, WebhookSchema, DeliverySchema } from './routes.js';
