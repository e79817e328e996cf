import { describe, expect, it } from "vitest";
import { keepPathAndQuery } from "../src/externalUrl";

const MARIMO = "http://127.0.0.1:37435/?file=flow.py&access_token=18bd5ff7";

describe("keepPathAndQuery", () => {
  it("restores the query that code-server's proxy mapping drops", () => {
    expect(keepPathAndQuery(MARIMO, "http://127.0.0.1:8080/proxy/37435/")).toBe(
      "http://127.0.0.1:8080/proxy/37435/?file=flow.py&access_token=18bd5ff7",
    );
  });

  it("restores a path under the proxy path", () => {
    expect(
      keepPathAndQuery("http://localhost:3000/app/page?x=1#top", "https://host/proxy/3000/"),
    ).toBe("https://host/proxy/3000/app/page?x=1#top");
  });

  it("keeps a mapping that changed only the authority", () => {
    const forwarded = "http://localhost:51234/?file=flow.py&access_token=18bd5ff7";
    expect(keepPathAndQuery(MARIMO, forwarded)).toBe(forwarded);
  });

  it("keeps an unmapped URL", () => {
    expect(keepPathAndQuery(MARIMO, MARIMO)).toBe(MARIMO);
  });
});
