import { describe, expect, it } from "vitest";
import { isGenerateResult, isRunResult, marimoUrl } from "../src/protocol";

describe("protocol guards", () => {
  it("accepts a run result", () => {
    expect(isRunResult({ cells: [{ status: "ok", index: 0 }] })).toBe(true);
  });

  it("rejects a run result without cells", () => {
    expect(isRunResult({ cell: [] })).toBe(false);
    expect(isRunResult(null)).toBe(false);
  });

  it("rejects a malformed cell", () => {
    expect(isRunResult({ cells: [{ status: 1 }] })).toBe(false);
  });

  it("accepts a generate result", () => {
    expect(isGenerateResult({ uri: "file:///a.py", path: "/a.py" })).toBe(true);
    expect(isGenerateResult({ uri: "file:///a.py" })).toBe(false);
  });

  it("reads the marimo URL as a string or an object", () => {
    expect(marimoUrl("http://127.0.0.1:2718/")).toBe("http://127.0.0.1:2718/");
    expect(marimoUrl({ url: "http://127.0.0.1:2718/?file=a.py" })).toBe(
      "http://127.0.0.1:2718/?file=a.py",
    );
    expect(marimoUrl({})).toBeUndefined();
  });
});
