from __future__ import annotations

from gateway.db.models import User
from resolvers.context import Context


async def viewer_user(ctx: Context) -> User:
    user = await ctx.loaders.user_by_id.load(ctx.user_id)
    assert user is not None, "a live session always belongs to an existing user"
    return user
