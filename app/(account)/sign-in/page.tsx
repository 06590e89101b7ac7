import type { Metadata } from "next";
import { AuthPage } from "@/components/identity/auth-page";
import { getIdentity } from "@/lib/server/web/identity/dal";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Sign in · Foyer" };

export default async function SignInPage() {
  return <AuthPage mode="sign-in" identity={await getIdentity()} />;
}
