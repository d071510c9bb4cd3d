import Link from "next/link";

/**
 * The tenant filter above a list: a plain GET form, so the filter lives in the
 * URL (`?tenant=`) and works without JavaScript; Clear goes back to `href`.
 */
export function TenantFilter({
  label,
  href,
  tenant,
}: {
  /** The form's accessible name, e.g. "Filter streams". */
  readonly label: string;
  readonly href: string;
  readonly tenant: string | undefined;
}) {
  return (
    <form method="get" className="inline-form filter-form" aria-label={label}>
      <div className="field">
        <label htmlFor="f-tenant">Tenant (name or id)</label>
        <input id="f-tenant" name="tenant" defaultValue={tenant ?? ""} autoComplete="off" />
      </div>
      <div className="filter-actions">
        <button type="submit" className="button">
          Filter
        </button>
        <Link href={href} className="button button-quiet">
          Clear
        </Link>
      </div>
    </form>
  );
}
