import { SubmitButton } from "@/components/submit-button";
import { logout } from "./actions";

export function LogoutButton() {
  return (
    <form action={logout}>
      <SubmitButton className="button button-quiet" pendingLabel="Signing out…">
        Sign out
      </SubmitButton>
    </form>
  );
}
