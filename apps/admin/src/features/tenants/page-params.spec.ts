import { describe, expect, it } from "vitest";
import { DEFAULT_PAGE_SIZE, tenantListHref, tenantListParams } from "./page-params";

describe(tenantListParams.name, () => {
  it("reads the cursor and page size, capping the size at 100", () => {
    expect(tenantListParams({ after: "acme", limit: "10" })).toEqual({ after: "acme", limit: 10 });
    expect(tenantListParams({ limit: "5000" }).limit).toBe(100);
  });

  it("falls back to the first page of the default size on bad values", () => {
    expect(tenantListParams({ after: "", limit: "ten" })).toEqual({
      after: undefined,
      limit: DEFAULT_PAGE_SIZE,
    });
    expect(tenantListParams({ limit: "0" }).limit).toBe(DEFAULT_PAGE_SIZE);
  });
});

describe(tenantListHref.name, () => {
  it("keeps the default size out of the URL", () => {
    expect(tenantListHref({ limit: DEFAULT_PAGE_SIZE })).toBe("/tenants");
    expect(tenantListHref({ after: null, limit: DEFAULT_PAGE_SIZE })).toBe("/tenants");
    expect(tenantListHref({ after: "a b&c", limit: 10 })).toBe("/tenants?after=a+b%26c&limit=10");
  });

  it("round-trips through the reader", () => {
    const href = tenantListHref({ after: "globex", limit: 50 });
    const params = Object.fromEntries(new URL(href, "http://x").searchParams);
    expect(tenantListParams(params)).toEqual({ after: "globex", limit: 50 });
  });
});
