import { ChatApp } from "@/components/chat/chat-app";

// Identity is per visitor and resolved in the browser; never prerender or cache this page.
export const dynamic = "force-dynamic";

export default function HomePage() {
  return <ChatApp />;
}
