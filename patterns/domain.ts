/**
 * The guide's domain types, shared by the patterns' examples and tests. Plain data: safe to import
 * from workflow code (no Node APIs).
 */

export type PaymentMethod = 'credit_card' | 'paypal' | 'bank_transfer';

export interface Address {
  street: string;
  city: string;
  postalCode: string;
  country: string;
}

export interface OrderItem {
  sku: string;
  quantity: number;
  unitPrice: number;
}

export interface Order {
  orderId: string;
  customerId: string;
  items: OrderItem[];
  paymentMethod: PaymentMethod;
  shippingAddress: Address;
  /** Total in the order's currency; derived from items when absent. */
  total?: number;
}

export interface ProcessingRequest {
  requestId: string;
  payload: Record<string, unknown>;
}

export interface BatchItem {
  id: string;
  data: Record<string, unknown>;
}

export interface BatchRequest {
  batchId: string;
  items: BatchItem[];
  chunkSize?: number;
}

export function orderTotal(order: Order): number {
  return order.total ?? order.items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0);
}
