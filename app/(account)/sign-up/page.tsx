import type { Metadata } from "next";
import { AuthPage } from "@/components/identity/auth-page";
import { getIdentity } from "@/lib/server/web/identity/dal";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Create your account · Foyer" };

export default async function SignUpPage() {
  return <AuthPage mode="sign-up" identity={await getIdentity()} />;
}
