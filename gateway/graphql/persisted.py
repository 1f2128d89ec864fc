"""Which document a request runs: its text, a persisted query's hash, or both (Apollo's APQ protocol).

- Hash only: the stored document, else PERSISTED_QUERY_NOT_FOUND (HTTP 200, so Apollo's link and
  urql's exchange read it and send the text with the hash).
- Text and hash: the hash must be the text's SHA-256; a text that parses and validates, within the
  size bound, is cached for the next hash-only request.
- Under `GATEWAY_TRUSTED_DOCUMENTS_ONLY`, cookie sessions and anonymous callers (first-party
  frontends) run only trusted documents (registered from a manifest); bearer callers run anything.
  An APQ entry never becomes trusted by being used.
- GET runs queries only (a mutation is 405) and only documents the gateway already knows, or an
  APQ registration (text with its hash): urql sends its retry with GET when the URL is short enough.
"""

from __future__ import annotations

from dataclasses import replace

from graphql import GraphQLError, OperationType
from graphql.utilities import get_operation_ast
from strawberry.http import GraphQLRequestData

from gateway.graphql.documents import operation_names, problems, sha256_hex
from gateway.graphql.parse_cache import cached_parse
from gateway.graphql.schema import GatewaySchema
from gateway.i18n import N_
from permissions.errors import GatewayError
from permissions.principal import AuthMethod
from resolvers import persisted_documents
from resolvers.context import Context
from resolvers.persisted_documents import StoredDocument

# Found documents, by hash: a hash names one text forever, so a process may keep what it read.
CACHED_DOCUMENTS = 1024
CACHED_CHARACTERS = 4 * 1024 * 1024
NOT_TRUSTED = N_("Only the documents registered by this service's frontends run here; this one is not registered.")
GET_NEEDS_PERSISTED = N_(
    "GET runs only persisted documents: send this one with POST, or with its `persistedQuery` hash."
)


class PersistedQueryNotFound(Exception):
    """The hash names no document: Apollo's clients answer by sending the text."""


class ProtocolRefusal(Exception):
    """A request that breaks the protocol (HTTP status, Apollo's code); for developers, in English."""

    def __init__(self, status: int, message: str, code: str) -> None:
        super().__init__(message)
        self.status, self.message, self.code = status, message, code


class PersistedQueryRequired(GatewayError):
    code = "PERSISTED_QUERY_REQUIRED"
    default_message = NOT_TRUSTED


class PersistedDocuments:
    """The document store as one gateway process sees it: PostgreSQL behind a small cache of hits."""

    def __init__(self, schema: GatewaySchema) -> None:
        self.schema = schema
        self.cache: dict[str, StoredDocument] = {}
        self.cached_characters = 0

    async def document_for(self, ctx: Context, method: str, data: GraphQLRequestData) -> GraphQLRequestData:
        persisted = (data.extensions or {}).get("persistedQuery")
        claimed: str | None = persisted["sha256Hash"] if persisted else None
        first_party = ctx.settings.trusted_documents_only and ctx.principal.method is not AuthMethod.BEARER
        if data.query is None:
            assert claimed is not None  # the request reader refuses a request with neither
            stored = await self.find(ctx, claimed, need_trust=first_party)
            if first_party and (stored is None or not stored.trusted):
                raise PersistedQueryRequired
            if stored is None:
                raise PersistedQueryNotFound
            only_queries_over(method, stored.body, data.operation_name, self.schema.max_tokens)
            return replace(data, query=stored.body)
        digest = sha256_hex(data.query)
        if claimed is not None and claimed != digest:
            raise ProtocolRefusal(400, "provided sha does not match query", "PERSISTED_QUERY_HASH_MISMATCH")
        only_queries_over(method, data.query, data.operation_name, self.schema.max_tokens)
        if first_party:
            stored = await self.find(ctx, digest, need_trust=True)
            if stored is None or not stored.trusted:
                raise PersistedQueryRequired
        elif claimed is not None:
            await self.remember(ctx, digest, data.query)
        elif method == "GET" and await self.find(ctx, digest, need_trust=False) is None:
            raise PersistedQueryRequired(GET_NEEDS_PERSISTED)
        return data

    async def find(self, ctx: Context, sha256: str, *, need_trust: bool) -> StoredDocument | None:
        hit = self.cache.get(sha256)
        # A cached APQ entry may have been registered as trusted since: ask again when trust matters.
        if hit is not None and (hit.trusted or not need_trust):
            return hit
        found = await persisted_documents.find(ctx.reads, sha256)
        if found is not None:
            self.keep(sha256, found)
        return found

    async def remember(self, ctx: Context, sha256: str, text: str) -> None:
        if sha256 in self.cache or len(text.encode()) > ctx.settings.apq_max_document_bytes:
            return  # too large to cache: it runs, and its client keeps sending the text
        if problems(self.schema, text):
            return  # execution reports what is wrong with it; only valid documents are stored
        names = operation_names(cached_parse(text, self.schema.max_tokens))
        keep = ctx.settings.apq_max_documents
        await persisted_documents.remember(ctx.db, sha256, text, names, ctx.clock.now(), keep)
        self.keep(sha256, StoredDocument(text, trusted=False))

    def keep(self, sha256: str, document: StoredDocument) -> None:
        # Oldest first out, bounded in count and in size: what anyone may store must not fill the memory.
        while self.cache and (
            len(self.cache) >= CACHED_DOCUMENTS or self.cached_characters + len(document.body) > CACHED_CHARACTERS
        ):
            self.cached_characters -= len(self.cache.pop(next(iter(self.cache))).body)
        previous = self.cache.pop(sha256, None)
        self.cached_characters += len(document.body) - (len(previous.body) if previous else 0)
        self.cache[sha256] = document


class MethodNotAllowed(ProtocolRefusal):
    def __init__(self) -> None:
        super().__init__(405, "Only queries may be sent with GET; send mutations with POST.", "METHOD_NOT_ALLOWED")


def only_queries_over(method: str, text: str, operation_name: str | None, max_tokens: int | None) -> None:
    """GraphQL over HTTP: a mutation (or subscription) sent with GET is 405 Method Not Allowed."""
    if method != "GET":
        return
    try:
        document = cached_parse(text, max_tokens)
    except GraphQLError:
        return  # execution reports the syntax error
    operation = get_operation_ast(document, operation_name)
    if operation is not None and operation.operation is not OperationType.QUERY:
        raise MethodNotAllowed
