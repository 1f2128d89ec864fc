// Apollo Client's persisted-query link against a live gateway: `node apq.mjs http://127.0.0.1:PORT/graphql`.
// Prints, as JSON, each scenario's answer and the requests the link sent, for tests/test_apollo_client.py.
import { createHash } from "node:crypto";

import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { createPersistedQueryLink } from "@apollo/client/link/persisted-queries";

const url = process.argv[2];
const sha256 = (text) => createHash("sha256").update(text).digest("hex");

// What went over the wire, request by request: the method, whether the text was sent, and the answer's code.
function recordingFetch(sent) {
  return async (input, init = {}) => {
    const method = (init.method ?? "GET").toUpperCase();
    const request =
      method === "GET"
        ? Object.fromEntries(
            [...new URL(input).searchParams].map(([k, v]) => [k, k === "query" || k === "operationName" ? v : JSON.parse(v)]),
          )
        : JSON.parse(init.body);
    const response = await fetch(input, init);
    const answer = JSON.parse(await response.clone().text());
    sent.push({
      method,
      withQuery: Boolean(request.query),
      withHash: Boolean(request.extensions?.persistedQuery?.sha256Hash),
      status: response.status,
      code: answer.errors?.[0]?.extensions?.code ?? null,
      cacheControl: response.headers.get("cache-control"),
    });
    return response;
  };
}

async function run(query, { useGETForHashedQueries = false } = {}) {
  const sent = [];
  // A new client each time: its link remembers nothing, as after a page load.
  const link = ApolloLink.from([
    createPersistedQueryLink({ sha256, useGETForHashedQueries }),
    new HttpLink({ uri: url, fetch: recordingFetch(sent) }),
  ]);
  const client = new ApolloClient({ link, cache: new InMemoryCache() });
  const { data } = await client.query({ query, fetchPolicy: "network-only" });
  return { data, sent };
}

const POSTED = gql`
  query HostingCatalog {
    catalog(kind: HOSTING) {
      sku
    }
  }
`;
const BY_GET = gql`
  query DomainCatalog {
    catalog(kind: DOMAIN) {
      sku
      kind
    }
  }
`;

const result = {
  firstPost: await run(POSTED),
  secondPost: await run(POSTED),
  firstGet: await run(BY_GET, { useGETForHashedQueries: true }),
  secondGet: await run(BY_GET, { useGETForHashedQueries: true }),
};
process.stdout.write(JSON.stringify(result));
