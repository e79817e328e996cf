// Repairs the URL that `vscode.env.asExternalUri` returns for a server on 127.0.0.1.

/**
 * Puts the path, query and fragment of `original` back onto `external` when
 * `asExternalUri` replaced them, and returns `external` as it is otherwise. code-server 4.100
 * maps `http://127.0.0.1:PORT/PATH?QUERY` to its proxy URL `/proxy/PORT/` without PATH and
 * QUERY. For marimo, QUERY contains the notebook file and the access token.
 */
export function keepPathAndQuery(original: string, external: string): string {
  const source = new URL(original);
  const mapped = new URL(external);
  const unchanged =
    mapped.search === source.search &&
    mapped.hash === source.hash &&
    mapped.pathname.endsWith(source.pathname);
  if (unchanged) {
    return external;
  }
  mapped.pathname = mapped.pathname.replace(/\/+$/, "") + source.pathname;
  mapped.search = source.search;
  mapped.hash = source.hash;
  return mapped.toString();
}
