import Link from "next/link";

export default function StreamNotFound() {
  return (
    <section className="notice notice-warning" role="alert">
      <h1>Stream not found</h1>
      <p>
        This tenant has no stream by that name; it may have been deleted.{" "}
        <Link href="/streams">Back to the streams</Link>.
      </p>
    </section>
  );
}
