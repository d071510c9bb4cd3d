/** A resource's owner node and its epoch, or that no node holds it. */
export function OwnerCell({
  owner,
}: {
  readonly owner: { readonly node_id: string; readonly epoch: number } | null | undefined;
}) {
  if (!owner) return <span className="muted">unowned</span>;
  return (
    <>
      <code>{owner.node_id}</code> ({owner.epoch})
    </>
  );
}
