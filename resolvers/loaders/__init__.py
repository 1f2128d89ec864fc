from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from permissions.caller import Caller
from resolvers.loaders.billing import (
    BillingAddressByIdLoader,
    BillingAddressesByOrganizationLoader,
    InvoiceByIdLoader,
    InvoicesPageLoader,
    OrganizationOfInvoiceLoader,
    PaymentByIdLoader,
    PaymentsPageLoader,
    PrepaidBalanceLoader,
    PrepaidEntriesPageLoader,
    WithdrawalByIdLoader,
)
from resolvers.loaders.contracts import ContractAcceptancesByOrganizationIdLoader
from resolvers.loaders.organizations import (
    AuditEntryByIdLoader,
    AuditPageLoader,
    GrantByOrganizationIdLoader,
    InvitationByIdLoader,
    InvitationsPageLoader,
    MemberByIdLoader,
    MemberByOrganizationAndUserLoader,
    MembersPageLoader,
    MemberStatsLoader,
    OrganizationByIdLoader,
)
from resolvers.loaders.products import (
    AddOnsByParentIdLoader,
    CatalogItemBySkuLoader,
    LinesByOrderIdLoader,
    OrderByIdLoader,
    OrdersPageLoader,
    OrganizationOfProductLoader,
    ProductByIdLoader,
    ProductsPageLoader,
)
from resolvers.loaders.tokens import ApiTokenByIdLoader, IntegrationTokensPageLoader
from resolvers.loaders.transfers import ProductTransferByIdLoader
from resolvers.loaders.users import UserByIdLoader
from resolvers.loaders.webhooks import (
    WebhookAttemptsByDeliveryIdLoader,
    WebhookDeliveriesPageLoader,
    WebhookDeliveryByIdLoader,
    WebhookEndpointByIdLoader,
    WebhookEndpointsPageLoader,
)


@dataclass(frozen=True, slots=True)
class Loaders:
    """The DataLoaders of one request; never shared between requests."""

    user_by_id: UserByIdLoader
    grant_by_organization_id: GrantByOrganizationIdLoader
    organization_by_id: OrganizationByIdLoader
    member_by_id: MemberByIdLoader
    member_by_organization_and_user: MemberByOrganizationAndUserLoader
    members_page: MembersPageLoader
    member_stats: MemberStatsLoader
    invitation_by_id: InvitationByIdLoader
    invitations_page: InvitationsPageLoader
    audit_page: AuditPageLoader
    audit_entry_by_id: AuditEntryByIdLoader
    products_page: ProductsPageLoader
    product_by_id: ProductByIdLoader
    add_ons_by_parent_id: AddOnsByParentIdLoader
    catalog_item_by_sku: CatalogItemBySkuLoader
    orders_page: OrdersPageLoader
    order_by_id: OrderByIdLoader
    lines_by_order_id: LinesByOrderIdLoader
    organization_of_product: OrganizationOfProductLoader
    invoices_page: InvoicesPageLoader
    invoice_by_id: InvoiceByIdLoader
    organization_of_invoice: OrganizationOfInvoiceLoader
    prepaid_balance: PrepaidBalanceLoader
    prepaid_entries_page: PrepaidEntriesPageLoader
    payment_by_id: PaymentByIdLoader
    payments_page: PaymentsPageLoader
    withdrawal_by_id: WithdrawalByIdLoader
    contract_acceptances_by_organization_id: ContractAcceptancesByOrganizationIdLoader
    billing_addresses: BillingAddressesByOrganizationLoader
    billing_address_by_id: BillingAddressByIdLoader
    product_transfer_by_id: ProductTransferByIdLoader
    api_token_by_id: ApiTokenByIdLoader
    integration_tokens_page: IntegrationTokensPageLoader
    webhook_endpoints_page: WebhookEndpointsPageLoader
    webhook_endpoint_by_id: WebhookEndpointByIdLoader
    webhook_deliveries_page: WebhookDeliveriesPageLoader
    webhook_delivery_by_id: WebhookDeliveryByIdLoader
    webhook_attempts_by_delivery_id: WebhookAttemptsByDeliveryIdLoader

    @classmethod
    def create(cls, db: async_sessionmaker[AsyncSession], caller: Caller) -> Loaders:
        return cls(
            user_by_id=UserByIdLoader(db),
            grant_by_organization_id=GrantByOrganizationIdLoader(db, caller),
            organization_by_id=OrganizationByIdLoader(db),
            member_by_id=MemberByIdLoader(db),
            member_by_organization_and_user=MemberByOrganizationAndUserLoader(db),
            members_page=MembersPageLoader(db),
            member_stats=MemberStatsLoader(db),
            invitation_by_id=InvitationByIdLoader(db),
            invitations_page=InvitationsPageLoader(db),
            audit_page=AuditPageLoader(db),
            audit_entry_by_id=AuditEntryByIdLoader(db),
            products_page=ProductsPageLoader(db, caller),
            product_by_id=ProductByIdLoader(db, caller),
            add_ons_by_parent_id=AddOnsByParentIdLoader(db, caller),
            catalog_item_by_sku=CatalogItemBySkuLoader(db),
            orders_page=OrdersPageLoader(db, caller),
            order_by_id=OrderByIdLoader(db, caller),
            lines_by_order_id=LinesByOrderIdLoader(db),
            organization_of_product=OrganizationOfProductLoader(db),
            invoices_page=InvoicesPageLoader(db, caller),
            invoice_by_id=InvoiceByIdLoader(db, caller),
            organization_of_invoice=OrganizationOfInvoiceLoader(db),
            prepaid_balance=PrepaidBalanceLoader(db),
            prepaid_entries_page=PrepaidEntriesPageLoader(db),
            payment_by_id=PaymentByIdLoader(db, caller),
            payments_page=PaymentsPageLoader(db, caller),
            withdrawal_by_id=WithdrawalByIdLoader(db),
            contract_acceptances_by_organization_id=ContractAcceptancesByOrganizationIdLoader(db),
            billing_addresses=BillingAddressesByOrganizationLoader(db),
            billing_address_by_id=BillingAddressByIdLoader(db),
            product_transfer_by_id=ProductTransferByIdLoader(db),
            api_token_by_id=ApiTokenByIdLoader(db),
            integration_tokens_page=IntegrationTokensPageLoader(db),
            webhook_endpoints_page=WebhookEndpointsPageLoader(db),
            webhook_endpoint_by_id=WebhookEndpointByIdLoader(db),
            webhook_deliveries_page=WebhookDeliveriesPageLoader(db),
            webhook_delivery_by_id=WebhookDeliveryByIdLoader(db),
            webhook_attempts_by_delivery_id=WebhookAttemptsByDeliveryIdLoader(db),
        )
