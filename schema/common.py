"""Building blocks shared by the domain modules: ids, page info, product scope, locators."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, Generic, TypeVar

import strawberry
from strawberry import relay

from permissions.errors import BadUserInput
from permissions.fields import INHERITED, Locator, Target, inherited
from permissions.rights import ALL_RIGHTS, Right, Role
from resolvers.context import Context
from resolvers.pagination import Page, Window, window

Info = strawberry.Info[Context, None]


def decode_id(value: relay.GlobalID | str | None, type_name: str) -> uuid.UUID | None:
    """The UUID inside a global id of `type_name`, or None (which answers as NOT_FOUND)."""
    if value is None:
        return None
    try:
        gid = value if isinstance(value, relay.GlobalID) else relay.GlobalID.from_id(value)
        return uuid.UUID(gid.node_id) if gid.type_name == type_name else None
    except (ValueError, TypeError):
        return None


def encode_id(type_name: str, value: uuid.UUID) -> str:
    return str(relay.GlobalID(type_name, str(value)))


def _argument(arguments: dict[str, Any], path: str) -> Any:
    value: Any = arguments
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else getattr(value, part, None)
    return value


def organization_argument(path: str) -> Locator:
    """The organization named by an argument, e.g. `id` or `input.organization_id`."""

    async def locate(source: Any, info: strawberry.Info, arguments: dict[str, Any]) -> uuid.UUID | None:
        return decode_id(_argument(arguments, path), "Organization")

    return locate


def owned_argument(path: str, type_name: str, loader: str) -> Locator:
    """The organization of the object an argument names, read through `loaders.<loader>`.

    A loader that applies the caller's visibility (orders, for a limited member) makes an
    invisible object answer like one that does not exist."""

    async def locate(source: Any, info: strawberry.Info, arguments: dict[str, Any]) -> uuid.UUID | None:
        object_id = decode_id(_argument(arguments, path), type_name)
        row = await getattr(info.context.loaders, loader).load(object_id) if object_id else None
        return row.organization_id if row else None

    return locate


def member_argument(path: str) -> Locator:
    return owned_argument(path, "Member", "member_by_id")


def invitation_argument(path: str) -> Locator:
    return owned_argument(path, "Invitation", "invitation_by_id")


def order_argument(path: str) -> Locator:
    return owned_argument(path, "Order", "order_by_id")


def product_argument(path: str) -> Locator:
    """The product named by an argument, with its organization: rules then also apply the product scope."""

    async def locate(source: Any, info: strawberry.Info, arguments: dict[str, Any]) -> Target | None:
        product_id = decode_id(_argument(arguments, path), "Product")
        organization_id = await info.context.loaders.organization_of_product.load(product_id) if product_id else None
        return Target(organization_id, product_id) if organization_id else None

    return locate


def check_page(
    info: Info, first: int | None = None, after: str | None = None, last: int | None = None, before: str | None = None
) -> Window:
    """The window a connection's `first`/`after`/`last`/`before` ask for; BAD_USER_INPUT if out of range."""
    return window(first, after, last, before, info.context.settings.limits.max_page_size)


@strawberry.type(
    description="Where a page starts and ends, Relay style. Pages go forward with `first` and `after`, "
    "backward with `last` and `before`."
)
class PageInfo:
    has_next_page: bool = inherited()
    has_previous_page: bool = inherited()
    start_cursor: str | None = inherited()
    end_cursor: str | None = inherited()

    @classmethod
    def from_page(cls, page: Page[Any]) -> PageInfo:
        return cls(
            has_next_page=page.has_next,
            has_previous_page=page.has_previous,
            start_cursor=page.cursors[0] if page.cursors else None,
            end_cursor=page.cursors[-1] if page.cursors else None,
        )


NodeT = TypeVar("NodeT")
Count = Callable[[], Awaitable[int]]


@strawberry.type
class Edge(Generic[NodeT]):
    cursor: str = inherited()
    node: NodeT = inherited()


@strawberry.type
class Connection(Generic[NodeT]):
    """A page of a list, Relay style; named `<Node>Connection` in the SDL."""

    edges: list[Edge[NodeT]] = inherited()
    page_info: PageInfo = inherited()
    # How to count the whole list, asked only when `totalCount` is selected.
    count: strawberry.Private[Count]

    @strawberry.field(directives=[INHERITED], description="Every row of the list (as far as the caller sees).")
    async def total_count(self) -> int:
        return await self.count()

    @staticmethod
    def edges_of(page: Page[Any], build: Callable[[Any], NodeT]) -> list[Edge[NodeT]]:
        return [Edge(cursor=c, node=build(r)) for r, c in zip(page.rows, page.cursors, strict=True)]

    @classmethod
    def of(cls, page: Page[Any], build: Callable[[Any], NodeT], count: Count) -> Connection[NodeT]:
        return cls(edges=cls.edges_of(page, build), page_info=PageInfo.from_page(page), count=count)


def counted(loader: Any, organization_id: uuid.UUID, filters: tuple[Any, ...] = ()) -> Count:
    """`totalCount` of an organization's list, through the page loader's companion count loader."""
    return lambda: loader.counts.load((organization_id, filters))


@strawberry.type(description="Which products a member sees and manages.")
class ProductScope:
    all_products: bool = inherited(description="True: every product of the organization, now and future.")
    product_ids: list[strawberry.ID] | None = inherited(
        description="When not all: the products in scope. Of another member's scope, only callers holding "
        "VIEW_PRODUCTS see this, and only the products in their own scope; for others it is null."
    )

    @classmethod
    def of(cls, all_products: bool, product_ids: Iterable[uuid.UUID] | None) -> ProductScope:
        if product_ids is None:
            return cls(all_products=all_products, product_ids=None)
        ids = [] if all_products else [strawberry.ID(encode_id("Product", p)) for p in sorted(product_ids)]
        return cls(all_products=all_products, product_ids=ids)


@strawberry.input(description="All products, or a chosen set.")
class ProductScopeInput:
    all_products: bool
    product_ids: list[relay.GlobalID] = strawberry.field(default_factory=list)

    def ids(self) -> list[uuid.UUID]:
        ids = [decode_id(g, "Product") for g in self.product_ids]
        if None in ids:
            raise BadUserInput("`productIds` must be ids of products.")
        return [i for i in ids if i is not None]


def effective_rights(role: str, granted: Iterable[str]) -> list[Right]:
    rights = ALL_RIGHTS if role in (Role.OWNER.value, Role.ADMIN.value) else {Right(r) for r in granted}
    return sorted(rights, key=lambda r: r.value)
