import Link from "next/link";

export default function TenantNotFound() {
  return (
    <section className="notice notice-warning" role="alert">
      <h1>Tenant not found</h1>
      <p>
        No tenant has this id; it may have been deleted.{" "}
        <Link href="/tenants">Back to the tenants</Link>.
      </p>
    </section>
  );
}
