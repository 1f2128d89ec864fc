from __future__ import annotations

import uuid
from typing import Any

import strawberry
from strawberry import relay
from strawberry.permission import PermissionExtension

from permissions.fields import inherited, null_without, requires
from permissions.rights import Right
from resolvers import payments, withdrawals
from resolvers.payment_provider import PaymentSource
from resolvers.payments import PaymentResult
from resolvers.results import Outcome
from schema.billing import Invoice, Payment, PaymentMethod, PrepaidAccount, Withdrawal
from schema.catalog import Money
from schema.common import Info, decode_id, order_argument, organization_argument
from schema.errors import user_error, user_errors
from schema.orders import Order
from schema.payloads import payload

KEY_CODES = ("IDEMPOTENCY_KEY_INVALID", "IDEMPOTENCY_KEY_REUSED", "CONFLICT")
PAYMENT_CODES = ("PAYMENT_DECLINED", "PROVIDER_TIMEOUT")
PayOrderError = user_error(
    "PayOrder",
    (
        *KEY_CODES,
        *PAYMENT_CODES,
        "ORDER_NOT_PENDING",
        "INSUFFICIENT_FUNDS",
        "METHOD_NOT_ALLOWED",
        "BANK_TRANSFER_PENDING",
    ),
)
CancelBankTransferError = user_error("CancelBankTransfer", ("ORDER_NOT_PENDING", "NO_BANK_TRANSFER_PENDING"))
TopUpPrepaidError = user_error(
    "TopUpPrepaid", (*KEY_CODES, *PAYMENT_CODES, "AMOUNT_OUT_OF_RANGE", "METHOD_NOT_ALLOWED")
)
WithdrawPrepaidError = user_error(
    "WithdrawPrepaid",
    (*KEY_CODES, "AMOUNT_OUT_OF_RANGE", "DESTINATION_REQUIRED", "IBAN_INVALID", "PAYPAL_INVALID", "INSUFFICIENT_FUNDS"),
)
IDEMPOTENCY = "Unique per attempt (≤ 255 characters). Retrying with the same key never charges twice."
WITHDRAWAL_KEY = "Unique per withdrawal (≤ 255 characters). Retrying with the same key never withdraws twice."


def billing_viewers_only() -> PermissionExtension:
    """Billing data in a payload (balance, ledger, invoice): shown to VIEW_BILLING holders, null to the others."""
    return null_without(Right.VIEW_BILLING)


@strawberry.input(description="Card or PayPal details; the local test provider documents its test numbers.")
class PaymentSourceInput:
    card_number: str | None = None
    paypal_email: str | None = None


@strawberry.input
class PayOrderInput:
    order_id: relay.GlobalID
    method: PaymentMethod
    idempotency_key: str = strawberry.field(description=IDEMPOTENCY)
    source: PaymentSourceInput | None = None


@strawberry.input
class TopUpPrepaidInput:
    organization_id: relay.GlobalID
    amount_cents: int
    method: PaymentMethod = strawberry.field(description="CARD or PAYPAL.")
    idempotency_key: str = strawberry.field(description=IDEMPOTENCY)
    source: PaymentSourceInput | None = None


@strawberry.input(description="Exactly one of the two.")
class WithdrawalDestinationInput:
    iban: str | None = None
    paypal_email: str | None = None


@strawberry.input
class WithdrawPrepaidInput:
    organization_id: relay.GlobalID
    amount_cents: int
    destination: WithdrawalDestinationInput
    idempotency_key: str = strawberry.field(description=WITHDRAWAL_KEY)


@strawberry.input
class CancelBankTransferInput:
    order_id: relay.GlobalID


@strawberry.type
class CancelBankTransferPayload:
    order: Order | None
    payment: Payment | None = strawberry.field(description="The withdrawn transfer, now CANCELLED.")
    user_errors: list[CancelBankTransferError[0]]  # type: ignore[valid-type]


@strawberry.type
class WithdrawPrepaidPayload:
    organization_id: strawberry.Private[uuid.UUID | None]
    withdrawal: Withdrawal | None
    prepaid_account: PrepaidAccount | None = strawberry.field(extensions=[billing_viewers_only()])
    user_errors: list[WithdrawPrepaidError[0]]  # type: ignore[valid-type]


@strawberry.type
class BankTransferInstructions:
    iban: str = inherited()
    reference: str = inherited(description="Put this in the transfer's description.")
    amount: Money = inherited()


@strawberry.type
class PayOrderPayload:
    organization_id: strawberry.Private[uuid.UUID | None]
    order: Order | None
    payment: Payment | None
    invoice: Invoice | None = strawberry.field(
        extensions=[billing_viewers_only()], description="Null unless the payer also holds VIEW_BILLING."
    )
    bank_transfer: BankTransferInstructions | None
    user_errors: list[PayOrderError[0]]  # type: ignore[valid-type]


@strawberry.type
class TopUpPrepaidPayload:
    organization_id: strawberry.Private[uuid.UUID | None]
    payment: Payment | None
    prepaid_account: PrepaidAccount | None = strawberry.field(extensions=[billing_viewers_only()])
    user_errors: list[TopUpPrepaidError[0]]  # type: ignore[valid-type]


async def _account(info: Info, organization_id: uuid.UUID) -> PrepaidAccount:
    balance = await info.context.loaders.prepaid_balance.load(organization_id)
    return PrepaidAccount(organization_id=organization_id, balance=Money.of(balance, "EUR"))


def _source(given: PaymentSourceInput | None) -> PaymentSource:
    return PaymentSource(card_number=given.card_number, paypal_email=given.paypal_email) if given else PaymentSource()


def _outcome(result: PaymentResult) -> Outcome[PaymentResult]:
    # A declined or failed payment is both a fact to show (the payment) and a userError.
    return Outcome(result, list(result.problems))


async def _load(info: Info, loader: Any, value: str | None, build: Any) -> Any:
    if value is None:
        return None
    row = await loader.load(uuid.UUID(value))
    return build(row) if row else None


@strawberry.type
class PaymentMutation:
    @strawberry.mutation(
        extensions=[requires(Right.PAY, order_argument("input.order_id"))],
        description="Pay an order. PREPAID and CARD/PAYPAL settle at once; BANK_TRANSFER waits for the transfer.",
    )
    async def pay_order(self, info: Info, input: PayOrderInput) -> PayOrderPayload | None:
        order_id = decode_id(input.order_id, "Order")
        if input.method is PaymentMethod.MANUAL:
            result = PaymentResult("REFUSED", problems=[])
            outcome: Outcome[PaymentResult] = Outcome.fail(
                "METHOD_NOT_ALLOWED", "Choose prepaid credit, card, PayPal or bank transfer.", "input", "method"
            )
        else:
            result = await payments.pay_order(
                info.context, order_id, input.method.value, input.idempotency_key, _source(input.source)
            )  # type: ignore[arg-type]
            outcome = _outcome(result)
        info.context.refresh_loaders()
        loaders = info.context.loaders
        bank = None
        order = await _load(info, loaders.order_by_id, result.order_id, Order.from_row)
        if input.method is PaymentMethod.BANK_TRANSFER and result.status == "PENDING" and order is not None:
            bank = BankTransferInstructions(
                iban=info.context.settings.bank_iban, reference=order.number, amount=order.total
            )
        return PayOrderPayload(
            organization_id=order.organization_id if order else None,
            order=order,
            payment=await _load(info, loaders.payment_by_id, result.payment_id, Payment.from_row),
            invoice=await _load(info, loaders.invoice_by_id, result.invoice_id, Invoice.from_row),
            bank_transfer=bank,
            user_errors=user_errors(*PayOrderError, outcome.problems),
        )

    @strawberry.mutation(
        extensions=[requires(Right.PAY, order_argument("input.order_id"))],
        description="Withdraw the bank transfer an order waits for, so that it can be paid another way "
        "(an order waiting for a transfer cannot also be paid by card, PayPal or prepaid).",
    )
    async def cancel_bank_transfer(
        self, info: Info, input: CancelBankTransferInput
    ) -> CancelBankTransferPayload | None:
        order_id: uuid.UUID = decode_id(input.order_id, "Order")  # type: ignore[assignment]
        outcome = await payments.cancel_bank_transfer(info.context, order_id)
        return await payload(
            info,
            CancelBankTransferPayload,
            CancelBankTransferError,
            outcome,
            order=lambda _: _load(info, info.context.loaders.order_by_id, str(order_id), Order.from_row),
            payment=lambda row: _load(info, info.context.loaders.payment_by_id, str(row.id), Payment.from_row),
        )

    @strawberry.mutation(
        extensions=[requires(Right.MANAGE_BILLING, organization_argument("input.organization_id"))],
        description="The amount leaves the balance now; the transfer to the destination follows.",
    )
    async def withdraw_prepaid(self, info: Info, input: WithdrawPrepaidInput) -> WithdrawPrepaidPayload | None:
        organization_id = decode_id(input.organization_id, "Organization")
        outcome = await withdrawals.withdraw(
            info.context,
            organization_id,  # type: ignore[arg-type]
            input.amount_cents,
            input.destination.iban,
            input.destination.paypal_email,
            input.idempotency_key,
        )
        account = await _account(info, organization_id)  # type: ignore[arg-type]
        return await payload(
            info,
            WithdrawPrepaidPayload,
            WithdrawPrepaidError,
            outcome,
            otherwise={"prepaid_account": account, "organization_id": organization_id},
            organization_id=lambda _: organization_id,
            withdrawal=Withdrawal.from_row,
            prepaid_account=lambda _: _account(info, organization_id),  # type: ignore[arg-type]
        )

    @strawberry.mutation(extensions=[requires(Right.MANAGE_BILLING, organization_argument("input.organization_id"))])
    async def top_up_prepaid(self, info: Info, input: TopUpPrepaidInput) -> TopUpPrepaidPayload | None:
        organization_id = decode_id(input.organization_id, "Organization")
        result = await payments.top_up(
            info.context,
            organization_id,
            input.amount_cents,
            input.method.value,
            input.idempotency_key,
            _source(input.source),  # type: ignore[arg-type]
        )
        info.context.refresh_loaders()
        balance = await info.context.loaders.prepaid_balance.load(organization_id)
        return TopUpPrepaidPayload(
            payment=await _load(info, info.context.loaders.payment_by_id, result.payment_id, Payment.from_row),
            prepaid_account=PrepaidAccount(organization_id=organization_id, balance=Money.of(balance, "EUR")),  # type: ignore[arg-type]
            organization_id=organization_id,
            user_errors=user_errors(*TopUpPrepaidError, result.problems),
        )
