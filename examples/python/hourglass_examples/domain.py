"""Shared business types of the guide's examples (the Python twin of patterns/domain.ts).

Dataclasses, so the SDK's default data converter turns them into JSON and back by their type hints.
"""

from dataclasses import dataclass, field
from typing import Any, Optional


@dataclass
class Address:
    street: str
    city: str
    postal_code: str
    country: str


@dataclass
class OrderItem:
    sku: str
    quantity: int
    unit_price: float


@dataclass
class Order:
    order_id: str
    customer_id: str
    items: list[OrderItem]
    payment_method: str = "credit_card"
    shipping_address: Address = field(default_factory=lambda: Address("1 Main St", "Springfield", "12345", "US"))
    total: Optional[float] = None

    def order_total(self) -> float:
        return self.total if self.total is not None else sum(i.quantity * i.unit_price for i in self.items)


@dataclass
class BatchItem:
    id: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class BatchRequest:
    batch_id: str
    items: list[BatchItem]
    chunk_size: Optional[int] = None


def sample_order(order_id: str = "order-1", *, sku: str = "WIDGET", quantity: int = 2, unit_price: float = 25.0, country: str = "US") -> Order:
    """A small valid order; tests and demos vary one field to trigger each failure."""
    return Order(
        order_id=order_id,
        customer_id="customer-1",
        items=[OrderItem(sku, quantity, unit_price)],
        shipping_address=Address("1 Main St", "Springfield", "12345", country),
    )
